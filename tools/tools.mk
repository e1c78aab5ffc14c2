# tools/tools.mk - owned by the tools part (placeholder)
