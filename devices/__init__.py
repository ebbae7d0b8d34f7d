"""Card readers and scanners behind Qt-free interfaces, with real and simulated backends."""
