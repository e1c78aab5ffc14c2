# fuzz/fuzz.mk - owned by the fuzz part (placeholder)
