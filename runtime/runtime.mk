# runtime/runtime.mk - owned by the runtime part (placeholder)
