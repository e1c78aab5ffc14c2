# lib/lib.mk - owned by the lib part (placeholder)
