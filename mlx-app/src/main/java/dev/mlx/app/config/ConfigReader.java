package dev.mlx.app.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a settings file written in JSON or YAML into an immutable value, strictly: an unknown key,
 * a wrong type, a duplicate key or a syntax error ends in one {@link MlxException#userError user
 * error} that names the file, the key (as a path such as {@code datasetParams.train-limit}), the
 * offending value where there is one, the line, and the allowed keys.
 *
 * <p>The format is chosen by {@link Format#of the file name and content}: {@code .yaml}/{@code .yml}
 * is YAML, {@code .json} is JSON, and any other name is JSON when its first non-blank character is
 * <code>{</code> or {@code [}, YAML otherwise. YAML is read through Jackson's YAML data format, so
 * both formats bind to the same records with the same checks.
 *
 * <p>Two ways in: {@link #read} binds a whole file to a record (what {@code mlx train --config}
 * does); {@link #readTree} returns the parsed tree so that a file with several parts (a sweep
 * file) can be checked section by section with {@link #bind}, getting the same messages.
 */
public final class ConfigReader {

    /** A settings-file format. */
    public enum Format {
        /** JSON (RFC 8259). */
        JSON,
        /** YAML 1.1, as read by Jackson's YAML data format (SnakeYAML). */
        YAML;

        /**
         * @param file the file (its extension decides when it is .json, .yaml or .yml)
         * @param content its text (decides otherwise: JSON when it starts with an object or array)
         * @return the format to read it with
         */
        public static Format of(Path file, String content) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".json")) {
                return JSON;
            }
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                return YAML;
            }
            String trimmed = content.stripLeading();
            return trimmed.startsWith("{") || trimmed.startsWith("[") ? JSON : YAML;
        }
    }

    private final Path file;
    private final String what;
    private final String content;
    private final ObjectMapper mapper;
    private final JsonNode tree;

    private ConfigReader(Path file, String what, String content, ObjectMapper mapper, JsonNode tree) {
        this.file = file;
        this.what = what;
        this.content = content;
        this.mapper = mapper;
        this.tree = tree;
    }

    /**
     * Parses a file (syntax only) so that its parts can be bound one at a time.
     *
     * @param file a JSON or YAML file
     * @param what what the file is, for messages ("config file", "sweep file")
     * @return a reader over the file's tree
     * @throws MlxException (user error) when the file is missing, unreadable, empty or malformed
     */
    public static ConfigReader readTree(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError(what + " " + file + " does not exist");
        }
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + what + " " + file + ": " + e.getMessage()
                    + " (is it a UTF-8 text file?)", e);
        }
        Format format = Format.of(file, content);
        ObjectMapper mapper = mapper(format);
        JsonNode tree;
        try {
            tree = mapper.readTree(content);
        } catch (JsonProcessingException e) {
            throw MlxException.userError(what + " " + file + " is malformed (not valid " + format + "): "
                    + oneLine(e.getOriginalMessage()) + line(e) + ". Fix the syntax and try again", e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw MlxException.userError(what + " " + file + " is empty; write the settings as a " + format
                    + " object (key: value)");
        }
        return new ConfigReader(file, what, content, mapper, tree);
    }

    /**
     * Reads a whole file into a record.
     *
     * @param file a JSON or YAML file
     * @param what what the file is, for messages
     * @param type the record to bind
     * @param allowedKeys the keys the record takes, listed in messages about unknown keys
     * @param <T> the record type
     * @return the bound value
     * @throws MlxException (user error) naming the file, the key and the problem
     */
    public static <T> T read(Path file, String what, Class<T> type, List<String> allowedKeys) {
        ConfigReader reader = readTree(file, what);
        reader.requireMapping(reader.root(), "", allowedKeys);
        // Bound from the text rather than the tree so that messages carry line numbers.
        return reader.bind(() -> reader.mapper.readValue(reader.content, type), "", allowedKeys);
    }

    /** @return the parsed tree of the whole file */
    public JsonNode root() {
        return tree;
    }

    /** @return the file read */
    public Path file() {
        return file;
    }

    /**
     * Binds one part of the file to a type with the strict checks.
     *
     * @param node a node of {@link #root()}
     * @param where the node's path in the file ({@code ""} for the root, else e.g. {@code "methods.rrr"}),
     *     prefixed to key names in messages
     * @param type the type to bind
     * @param allowedKeys the keys {@code type} takes, for messages about unknown keys
     * @param <T> the type
     * @return the bound value
     * @throws MlxException (user error) naming the file, the key and the problem
     */
    public <T> T bind(JsonNode node, String where, Class<T> type, List<String> allowedKeys) {
        requireMapping(node, where, allowedKeys);
        return bind(() -> mapper.treeToValue(node, type), where, allowedKeys);
    }

    /**
     * As {@link #bind(JsonNode, String, Class, List)} for a generic type, e.g.
     * {@code new TypeReference<Map<String, List<String>>>() {}} for a grid of values per key.
     *
     * @param node a mapping node of {@link #root()}
     * @param where the node's path in the file, for messages
     * @param type the type to bind
     * @param allowedKeys what the mapping may hold, for messages
     * @param <T> the type
     * @return the bound value
     * @throws MlxException (user error) naming the file, the key and the problem
     */
    public <T> T bind(JsonNode node, String where, TypeReference<T> type, List<String> allowedKeys) {
        requireMapping(node, where, allowedKeys);
        return bind(() -> mapper.treeToValue(node, mapper.getTypeFactory().constructType(type)), where, allowedKeys);
    }

    /**
     * @param node a node of {@link #root()}
     * @param where the node's path in the file, for messages
     * @param allowedKeys the keys expected there, for messages
     * @throws MlxException (user error) when the node is not a mapping
     */
    public void requireMapping(JsonNode node, String where, List<String> allowedKeys) {
        if (!node.isObject()) {
            throw error((where.isEmpty() ? "the top level" : "\"" + where + "\"") + " must be a mapping of keys to"
                    + " values, not " + describe(node) + ". Allowed keys: " + String.join(", ", allowedKeys));
        }
    }

    @FunctionalInterface
    private interface Binding<T> {
        T bind() throws JsonProcessingException;
    }

    private <T> T bind(Binding<T> binding, String where, List<String> allowedKeys) {
        try {
            return binding.bind();
        } catch (UnrecognizedPropertyException e) {
            throw error("unknown key \"" + path(where, e) + "\"" + keyLine(e) + ". Allowed keys"
                    + (where.isEmpty() ? "" : " in \"" + where + "\"") + ": " + String.join(", ", allowedKeys), e);
        } catch (InvalidFormatException e) {
            throw error("\"" + path(where, e) + "\" has the value '" + e.getValue() + "'" + line(e) + ", which is not "
                    + expected(e.getTargetType()), e);
        } catch (MismatchedInputException e) {
            throw error("\"" + path(where, e) + "\" has a value of the wrong type" + line(e) + ": expected "
                    + expected(e.getTargetType()), e);
        } catch (JsonMappingException e) {
            throw error("\"" + path(where, e) + "\" is malformed: " + oneLine(e.getOriginalMessage()) + line(e), e);
        } catch (JsonProcessingException e) {
            throw error("malformed: " + oneLine(e.getOriginalMessage()) + line(e), e);
        }
    }

    /**
     * @param message what is wrong (no file name)
     * @return a user error naming this file
     */
    public MlxException error(String message) {
        return MlxException.userError(what + " " + file + ": " + message);
    }

    private MlxException error(String message, Throwable cause) {
        return MlxException.userError(what + " " + file + ": " + message, cause);
    }

    private static ObjectMapper mapper(Format format) {
        ObjectMapper m = format == Format.YAML ? new YAMLMapper(new YAMLFactory()) : new ObjectMapper();
        return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private static String path(String where, JsonMappingException e) {
        String inner = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        if (where.isEmpty()) {
            return inner;
        }
        return inner.isEmpty() ? where : where + "." + inner;
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a value of the right type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a single value (text or number)";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys to values";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "a " + type.getSimpleName();
    }

    private static String describe(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        return node.isTextual() ? "the text '" + node.asText() + "'" : "the value " + node;
    }

    private static String line(JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? "" : " (line " + e.getLocation().getLineNr()
                + ")";
    }

    /**
     * The line of an unknown key: YAML's parser has already read ahead when the key is rejected, so
     * its location can be the next line; the key's own line is the first that holds it as a key.
     */
    private String keyLine(UnrecognizedPropertyException e) {
        Pattern key = Pattern.compile("^\\s*(-\\s+)?[\"']?" + Pattern.quote(e.getPropertyName()) + "[\"']?\\s*:");
        if (e.getLocation() == null || e.getLocation().getLineNr() < 1) {
            return "";
        }
        List<String> lines = content.lines().toList();
        for (int i = Math.min(e.getLocation().getLineNr() - 1, lines.size() - 1); i >= 0; i--) {
            if (key.matcher(lines.get(i)).find()) {
                return " (line " + (i + 1) + ")";
            }
        }
        return line(e);
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
