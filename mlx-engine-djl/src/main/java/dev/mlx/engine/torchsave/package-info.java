/**
 * Reads PyTorch's {@code torch.save} zip format (PyTorch 1.6 and later) with a small pickle
 * reader that only understands state dicts of tensors and never executes pickled code.
 */
package dev.mlx.engine.torchsave;
