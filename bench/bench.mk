# bench/bench.mk - owned by the bench part (placeholder)
