/**
 * What mlx prints and logs: the terminal's verbosity ({@code -q}, {@code -v}, {@code -vv}) and the
 * full log of a command, written into every run folder as {@code mlx.log}.
 */
package dev.mlx.app.log;
