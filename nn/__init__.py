"""Neural networks built on the engine: modules, losses, optimizers, training."""
