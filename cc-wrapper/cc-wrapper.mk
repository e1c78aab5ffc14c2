# cc-wrapper/cc-wrapper.mk - owned by the cc-wrapper part (placeholder)
