# samples/samples.mk - owned by the samples part (placeholder)
