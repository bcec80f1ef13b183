package dev.mlx.app.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A results table to paste into a spreadsheet or a paper, written two ways from the same rows:
 * <ul>
 *   <li>{@link #csv()}: RFC 4180 CSV with one header line; a mean ± std column becomes two columns
 *       {@code <name>_mean} and {@code <name>_std}; numbers carry more digits than the LaTeX shows; a
 *       missing value (and the std of a single seed) is an empty field;
 *   <li>{@link #latex()}: a {@code table} environment with a booktabs {@code tabular}
 *       (<code>&#92;toprule</code>, <code>&#92;midrule</code>, <code>&#92;bottomrule</code>; needs
 *       <code>&#92;usepackage{booktabs}</code>),
 *       mean ± std written {@code 97.02 $\pm$ 0.31}, text escaped by {@link #escapeLatex}, a missing value
 *       as {@code -}; the CSV-only columns and the columns without any value are left out.
 * </ul>
 *
 * <p>Order of use: {@link #builder()}, {@link Builder#addColumn} per column in order,
 * {@link Builder#addRow} per row with one cell per column, optionally {@link Builder#optCaption} and
 * {@link Builder#optLabel}, then {@link Builder#build()}; a built table is immutable.
 */
public final class PasteTable {
    /** What a column holds. */
    public enum Kind {
        /** Any text, left-aligned. */
        TEXT,
        /** One number. */
        NUMBER,
        /** A mean and its std (NaN when there is none, e.g. one seed). */
        MEAN_STD
    }

    /**
     * One column.
     *
     * @param header the LaTeX header (plain text, escaped when written)
     * @param csvName the CSV header ({@code _mean}/{@code _std} are appended for {@link Kind#MEAN_STD})
     * @param kind what its cells hold
     * @param latexFormat the {@link String#format} pattern of a number in LaTeX, e.g. {@code %.2f}
     * @param csvFormat the pattern of a number in CSV, e.g. {@code %.4f}
     * @param inLatex whether the LaTeX table shows it
     */
    public record Column(String header, String csvName, Kind kind, String latexFormat, String csvFormat,
            boolean inLatex) {
        /** @return a text column */
        public static Column text(String header, String csvName) {
            return new Column(header, csvName, Kind.TEXT, "", "", true);
        }

        /** @return a column of single numbers */
        public static Column number(String header, String csvName, String latexFormat, String csvFormat) {
            return new Column(header, csvName, Kind.NUMBER, latexFormat, csvFormat, true);
        }

        /** @return a column of means with their stds */
        public static Column meanStd(String header, String csvName, String latexFormat, String csvFormat) {
            return new Column(header, csvName, Kind.MEAN_STD, latexFormat, csvFormat, true);
        }

        /** @return this column, written to the CSV only */
        public Column csvOnly() {
            return new Column(header, csvName, kind, latexFormat, csvFormat, false);
        }
    }

    /** One cell: text, a number, a mean with its std, or nothing. */
    public sealed interface Cell permits TextCell, NumberCell, MeanStdCell, EmptyCell {
        /** @return a text cell */
        static Cell text(String text) {
            return new TextCell(text);
        }

        /** @return a number cell; NaN is a missing value */
        static Cell number(double value) {
            return Double.isNaN(value) ? new EmptyCell() : new NumberCell(value);
        }

        /** @return a mean ± std cell; a NaN mean is a missing value, a NaN std is no std */
        static Cell meanStd(double mean, double std) {
            return Double.isNaN(mean) ? new EmptyCell() : new MeanStdCell(mean, std);
        }

        /** @return a missing value, allowed in any column */
        static Cell empty() {
            return new EmptyCell();
        }
    }

    /** @param text the text */
    public record TextCell(String text) implements Cell {}

    /** @param value the number */
    public record NumberCell(double value) implements Cell {}

    /**
     * @param mean the mean
     * @param std its std, NaN when there is none
     */
    public record MeanStdCell(double mean, double std) implements Cell {}

    /** A missing value. */
    public record EmptyCell() implements Cell {}

    private final List<Column> columns;
    private final List<List<Cell>> rows;
    private final String caption;
    private final String label;

    private PasteTable(Builder b) {
        this.columns = List.copyOf(b.columns);
        this.rows = b.rows.stream().map(List::copyOf).toList();
        this.caption = b.caption;
        this.label = b.label;
    }

    /** @return a builder of an empty table */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the columns, in order */
    public List<Column> columns() {
        return columns;
    }

    /** @return the rows, each one cell per column */
    public List<List<Cell>> rows() {
        return rows;
    }

    /** @return the table as CSV: a header line, then one line per row, each ending in {@code \n} */
    public String csv() {
        StringBuilder b = new StringBuilder();
        List<String> header = new ArrayList<>();
        for (Column c : columns) {
            if (c.kind() == Kind.MEAN_STD) {
                header.add(c.csvName() + "_mean");
                header.add(c.csvName() + "_std");
            } else {
                header.add(c.csvName());
            }
        }
        csvLine(b, header);
        for (List<Cell> row : rows) {
            List<String> fields = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                Column c = columns.get(i);
                Cell cell = row.get(i);
                if (cell instanceof TextCell t) {
                    fields.add(t.text());
                } else if (cell instanceof NumberCell n) {
                    fields.add(format(c.csvFormat(), n.value()));
                } else if (cell instanceof MeanStdCell m) {
                    fields.add(format(c.csvFormat(), m.mean()));
                    fields.add(Double.isNaN(m.std()) ? "" : format(c.csvFormat(), m.std()));
                } else {
                    fields.add("");
                    if (c.kind() == Kind.MEAN_STD) {
                        fields.add("");
                    }
                }
            }
            csvLine(b, fields);
        }
        return b.toString();
    }

    /** @return the table as a LaTeX {@code table} with a booktabs {@code tabular} */
    public String latex() {
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            int col = i;
            if (columns.get(i).inLatex() && rows.stream().anyMatch(r -> !(r.get(col) instanceof EmptyCell))) {
                shown.add(i);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("% written by mlx; needs \\usepackage{booktabs}\n");
        b.append("\\begin{table}[ht]\n  \\centering\n");
        if (!caption.isEmpty()) {
            b.append("  \\caption{").append(escapeLatex(caption)).append("}\n");
        }
        if (!label.isEmpty()) {
            b.append("  \\label{").append(label).append("}\n");
        }
        b.append("  \\begin{tabular}{");
        shown.forEach(i -> b.append(columns.get(i).kind() == Kind.TEXT ? 'l' : 'r'));
        b.append("}\n    \\toprule\n    ");
        b.append(String.join(" & ", shown.stream().map(i -> escapeLatex(columns.get(i).header())).toList()));
        b.append(" \\\\\n    \\midrule\n");
        for (List<Cell> row : rows) {
            List<String> cells = new ArrayList<>();
            for (int i : shown) {
                Column c = columns.get(i);
                Cell cell = row.get(i);
                if (cell instanceof TextCell t) {
                    cells.add(escapeLatex(t.text()));
                } else if (cell instanceof NumberCell n) {
                    cells.add(format(c.latexFormat(), n.value()));
                } else if (cell instanceof MeanStdCell m) {
                    cells.add(format(c.latexFormat(), m.mean()) + (Double.isNaN(m.std()) ? ""
                            : " $\\pm$ " + format(c.latexFormat(), m.std())));
                } else {
                    cells.add("-");
                }
            }
            b.append("    ").append(String.join(" & ", cells)).append(" \\\\\n");
        }
        b.append("    \\bottomrule\n  \\end{tabular}\n\\end{table}\n");
        return b.toString();
    }

    /**
     * Escapes text for LaTeX's text mode: the ten special characters ({@code \ & % $ # _ { } ~ ^}),
     * {@code < >} (which the default font encoding prints as other glyphs), ± and × (as math), and line
     * breaks (as spaces).
     *
     * @param text plain text
     * @return the text to put into a LaTeX document
     */
    public static String escapeLatex(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\textbackslash{}");
                case '&', '%', '$', '#', '_', '{', '}' -> b.append('\\').append(ch);
                case '~' -> b.append("\\textasciitilde{}");
                case '^' -> b.append("\\textasciicircum{}");
                case '<' -> b.append("\\textless{}");
                case '>' -> b.append("\\textgreater{}");
                case '±' -> b.append("$\\pm$");
                case '×' -> b.append("$\\times$");
                case '\n', '\r' -> b.append(' ');
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /**
     * @param field one CSV field
     * @return the field, in double quotes (inner quotes doubled) when it holds a comma, a quote or a line break
     */
    public static String escapeCsv(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    private static void csvLine(StringBuilder b, List<String> fields) {
        b.append(String.join(",", fields.stream().map(PasteTable::escapeCsv).toList())).append('\n');
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }

    /** Collects the columns and rows of a {@link PasteTable}. */
    public static final class Builder {
        private final List<Column> columns = new ArrayList<>();
        private final List<List<Cell>> rows = new ArrayList<>();
        private String caption = "";
        private String label = "";

        private Builder() {}

        /**
         * @param column the next column
         * @return this builder
         * @throws IllegalStateException once rows were added
         */
        public Builder addColumn(Column column) {
            if (!rows.isEmpty()) {
                throw new IllegalStateException("columns come before rows");
            }
            columns.add(column);
            return this;
        }

        /**
         * @param cells one cell per column, in column order, each of its column's kind or empty
         * @return this builder
         * @throws IllegalArgumentException if the count or a kind does not match
         */
        public Builder addRow(List<Cell> cells) {
            if (cells.size() != columns.size()) {
                throw new IllegalArgumentException(cells.size() + " cells for " + columns.size() + " columns");
            }
            for (int i = 0; i < cells.size(); i++) {
                Cell cell = cells.get(i);
                Kind kind = columns.get(i).kind();
                boolean fits = cell instanceof EmptyCell || (cell instanceof TextCell && kind == Kind.TEXT)
                        || (cell instanceof NumberCell && kind == Kind.NUMBER)
                        || (cell instanceof MeanStdCell && kind == Kind.MEAN_STD);
                if (!fits) {
                    throw new IllegalArgumentException("column '" + columns.get(i).csvName() + "' holds " + kind
                            + ", not " + cell);
                }
            }
            rows.add(List.copyOf(cells));
            return this;
        }

        /** @return this builder, with {@code caption} as the LaTeX caption (plain text, escaped when written) */
        public Builder optCaption(String caption) {
            this.caption = caption;
            return this;
        }

        /** @return this builder, with {@code label} as the LaTeX label, e.g. {@code tab:comparison} */
        public Builder optLabel(String label) {
            this.label = label;
            return this;
        }

        /** @return the table */
        public PasteTable build() {
            if (columns.isEmpty()) {
                throw new IllegalStateException("a table needs at least one column");
            }
            return new PasteTable(this);
        }
    }
}
