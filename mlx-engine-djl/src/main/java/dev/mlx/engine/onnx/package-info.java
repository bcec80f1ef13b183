/**
 * ONNX export of {@link dev.mlx.engine.nn.Network}s: {@link dev.mlx.engine.onnx.OnnxExporter}
 * translates a network's layers into an ONNX graph ({@link dev.mlx.engine.onnx.OnnxModel}) and
 * {@link dev.mlx.engine.onnx.OnnxWriter} serialises it with the classes protoc
 * generates from {@code onnx.proto} into {@code dev.mlx.engine.onnx.proto} (ONNX IR version 8,
 * operator set 17).
 */
package dev.mlx.engine.onnx;
