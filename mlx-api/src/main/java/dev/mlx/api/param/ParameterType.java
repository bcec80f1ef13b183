package dev.mlx.api.param;

/** The value type of a hyper-parameter. Values travel as strings at the edge and are parsed once. */
public enum ParameterType {
    DOUBLE,
    INT,
    BOOLEAN,
    STRING
}
