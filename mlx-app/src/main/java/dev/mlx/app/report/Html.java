package dev.mlx.app.report;

/**
 * HTML escaping of text and attribute values: {@code & < > " '} become character references, so any
 * text (a method name, a parameter value, a file path) is shown literally and can never open a tag,
 * close an attribute or start a script.
 */
public final class Html {
    private Html() {}

    /**
     * @param text any text, or {@code null} (rendered as the empty string)
     * @return the text with {@code & < > " '} escaped; safe in element content and in quoted attributes
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
