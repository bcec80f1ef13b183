/**
 * Serving exported models: {@link dev.mlx.app.serve.OnnxPredictor} runs an ONNX file with ONNX
 * Runtime on the execution provider {@link dev.mlx.app.serve.SessionFactory} selects at run time
 * (CUDA when usable, CPU otherwise) and scores a data split with the group-accuracy definitions of
 * {@code mlx train}. ONNX Runtime stays inside this package and never reaches {@code mlx-api}.
 */
package dev.mlx.app.serve;
