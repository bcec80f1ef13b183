package dev.mlx.text.spam;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The readable text of one RFC 822 / MIME e-mail, as a spam classifier should see it: the
 * {@code Subject} (RFC 2047 encoded words decoded) followed by the body's text, with the other
 * headers (routes, addresses, dates) left out.
 *
 * <ul>
 *   <li>A {@code multipart/alternative} body gives its {@code text/plain} part, or else its
 *       {@code text/html} part; any other {@code multipart/*} gives all its text parts in order.
 *       Parts that are not {@code text/*} (attachments, images) are skipped.
 *   <li>{@code quoted-printable} and {@code base64} transfer encodings are decoded and the bytes read
 *       in the part's {@code charset} (ISO-8859-1 when it is missing or unknown).
 *   <li>HTML loses its {@code script} and {@code style} elements, comments and tags; entities are
 *       decoded.
 *   <li>Runs of white space become one space, and the result is cut to {@link #MAX_CHARS} characters
 *       (far beyond the 512 tokens a BERT sees).
 * </ul>
 *
 * The message is given as a string whose characters are its bytes (ISO-8859-1), so no byte is
 * lost before the charset of each part is known.
 */
public final class MailText {
    /** The longest text returned. */
    public static final int MAX_CHARS = 20_000;
    private static final int MAX_DEPTH = 8;
    private static final Pattern PARAM = Pattern.compile(";\\s*([A-Za-z0-9_-]+)\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)");
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?]+)\\?([BbQq])\\?([^?]*)\\?=");
    private static final Pattern SPACE_BETWEEN_ENCODED = Pattern.compile("(\\?=)\\s+(=\\?)");
    private static final Pattern HIDDEN = Pattern.compile("(?is)<(script|style)\\b.*?</\\1\\s*>|<!--.*?-->");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");
    private static final Map<String, String> NAMED = Map.of("nbsp", " ", "amp", "&", "lt", "<", "gt", ">", "quot",
            "\"", "apos", "'", "copy", "\u00a9", "reg", "\u00ae", "euro", "\u20ac", "pound", "\u00a3");

    private MailText() {}

    /**
     * @param message the whole message, one character per byte (ISO-8859-1)
     * @return its subject and body text, white space collapsed
     */
    public static String of(String message) {
        Part mail = Part.parse(message.replace("\r\n", "\n").replace('\r', '\n'));
        StringBuilder b = new StringBuilder();
        String subject = mail.headers.get("subject");
        if (subject != null) {
            b.append(decodeHeader(subject)).append('\n');
        }
        b.append(bodyText(mail, 0));
        String text = b.toString().replaceAll("[\\s\\u00a0]+", " ").strip();
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }

    private static String bodyText(Part part, int depth) {
        String type = part.type();
        if (type.startsWith("multipart/") && depth < MAX_DEPTH) {
            List<Part> parts = part.children();
            if (!parts.isEmpty()) {
                if (type.equals("multipart/alternative")) {
                    Part chosen = parts.stream().filter(p -> p.type().equals("text/plain")).findFirst()
                            .orElse(parts.get(parts.size() - 1));
                    return bodyText(chosen, depth + 1);
                }
                StringBuilder b = new StringBuilder();
                for (Part p : parts) {
                    b.append(bodyText(p, depth + 1)).append('\n');
                }
                return b.toString();
            }
        }
        if (!type.startsWith("text/") && !type.startsWith("multipart/")) {
            return "";
        }
        String text = new String(part.decodedBytes(), part.charset());
        return type.equals("text/html") ? htmlText(text) : text;
    }

    /** @return the text of an HTML document: no scripts, styles, comments or tags; entities decoded */
    static String htmlText(String html) {
        String s = HIDDEN.matcher(html).replaceAll(" ");
        s = TAG.matcher(s).replaceAll(" ");
        Matcher m = ENTITY.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(entity(m.group(1), m.group())));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static String entity(String name, String whole) {
        try {
            if (name.startsWith("#x") || name.startsWith("#X")) {
                return new String(Character.toChars(Integer.parseInt(name.substring(2), 16)));
            }
            if (name.startsWith("#")) {
                return new String(Character.toChars(Integer.parseInt(name.substring(1))));
            }
        } catch (IllegalArgumentException e) {
            return " ";
        }
        return NAMED.getOrDefault(name.toLowerCase(Locale.ROOT), whole);
    }

    /** @return a header value with its RFC 2047 encoded words decoded */
    static String decodeHeader(String value) {
        String joined = SPACE_BETWEEN_ENCODED.matcher(value).replaceAll("$1$2");
        Matcher m = ENCODED_WORD.matcher(joined);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            Charset cs = charset(m.group(1));
            byte[] bytes = m.group(2).equalsIgnoreCase("B") ? base64(m.group(3))
                    : quotedPrintable(m.group(3).replace('_', ' '));
            m.appendReplacement(b, Matcher.quoteReplacement(new String(bytes, cs)));
        }
        m.appendTail(b);
        return b.toString();
    }

    /** @return the bytes of a quoted-printable text (soft line breaks removed, {@code =XX} decoded) */
    static byte[] quotedPrintable(String s) {
        byte[] in = s.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            byte c = in[i];
            if (c == '=' && i + 1 < in.length && in[i + 1] == '\n') {
                i++;
            } else if (c == '=' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out[n++] = (byte) (hex(in[i + 1]) * 16 + hex(in[i + 2]));
                i += 2;
            } else {
                out[n++] = c;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static int hex(byte c) {
        return Character.digit((char) c, 16);
    }

    /** @return the bytes of a base64 text, ignoring anything outside the alphabet; empty if malformed */
    static byte[] base64(String s) {
        String clean = s.replaceAll("[^A-Za-z0-9+/]", "");
        if (clean.length() % 4 == 1) {
            clean = clean.substring(0, clean.length() - 1);
        }
        try {
            return Base64.getDecoder().decode(clean + "==".substring(0, (4 - clean.length() % 4) % 4));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    static Charset charset(String name) {
        if (name == null) {
            return StandardCharsets.ISO_8859_1;
        }
        try {
            return Charset.forName(name.strip());
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    /** One MIME entity: its headers (lower-case names, unfolded, first value) and raw body. */
    private record Part(Map<String, String> headers, String body) {
        static Part parse(String raw) {
            int split = raw.startsWith("\n") ? 0 : raw.indexOf("\n\n");
            String head = split < 0 ? raw : raw.substring(0, split);
            String body = split < 0 ? "" : raw.substring(split + (raw.startsWith("\n") ? 1 : 2));
            Map<String, String> headers = new LinkedHashMap<>();
            String name = null;
            StringBuilder value = new StringBuilder();
            for (String line : head.split("\n", -1)) {
                if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                    value.append(' ').append(line.strip());
                    continue;
                }
                if (name != null) {
                    headers.putIfAbsent(name, value.toString().strip());
                }
                int colon = line.indexOf(':');
                name = colon > 0 ? line.substring(0, colon).strip().toLowerCase(Locale.ROOT) : null;
                value.setLength(0);
                if (colon > 0) {
                    value.append(line.substring(colon + 1));
                }
            }
            if (name != null) {
                headers.putIfAbsent(name, value.toString().strip());
            }
            return new Part(headers, body);
        }

        String type() {
            String ct = headers.getOrDefault("content-type", "text/plain");
            int semi = ct.indexOf(';');
            return (semi < 0 ? ct : ct.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        }

        String param(String key) {
            Matcher m = PARAM.matcher(headers.getOrDefault("content-type", ""));
            while (m.find()) {
                if (m.group(1).equalsIgnoreCase(key)) {
                    return m.group(3) != null ? m.group(3) : m.group(2);
                }
            }
            return null;
        }

        Charset charset() {
            return MailText.charset(param("charset"));
        }

        byte[] decodedBytes() {
            String encoding = headers.getOrDefault("content-transfer-encoding", "").strip().toLowerCase(Locale.ROOT);
            return switch (encoding) {
                case "quoted-printable" -> quotedPrintable(body);
                case "base64" -> base64(body);
                default -> body.getBytes(StandardCharsets.ISO_8859_1);
            };
        }

        /** @return the parts between the boundary lines, or none if there is no boundary */
        List<Part> children() {
            String boundary = param("boundary");
            List<Part> parts = new ArrayList<>();
            if (boundary == null || boundary.isEmpty()) {
                return parts;
            }
            String delimiter = "--" + boundary;
            StringBuilder current = null;
            for (String line : body.split("\n", -1)) {
                if (line.startsWith(delimiter)) {
                    if (current != null) {
                        parts.add(parse(current.toString()));
                    }
                    boolean closing = line.startsWith(delimiter + "--");
                    current = closing ? null : new StringBuilder();
                    if (closing) {
                        break;
                    }
                } else if (current != null) {
                    current.append(line).append('\n');
                }
            }
            if (current != null) {
                parts.add(parse(current.toString()));
            }
            return parts;
        }
    }
}
