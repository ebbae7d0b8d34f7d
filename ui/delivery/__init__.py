"""Result delivery (出件, F4) and the results ready for pickup (待领取, Shift+F4)."""
