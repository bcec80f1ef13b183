/**
 * ONNX export of {@link dev.mlx.engine.nn.Network}s: {@link dev.mlx.engine.onnx.OnnxExporter}
 * translates a network's layers into an ONNX graph ({@link dev.mlx.engine.onnx.OnnxModel}) and
 * {@link dev.mlx.engine.onnx.OnnxWriter} serialises it in the protobuf wire format of
 * {@code onnx.proto} (ONNX IR version 8, operator set 17).
 */
package dev.mlx.engine.onnx;
