"""The hall's owed-materials worklist (补齐材料, F11) and the supplement dialog (登记补交材料)."""
