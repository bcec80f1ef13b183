package dev.mlx.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.app.report.PasteTable.Cell;
import dev.mlx.app.report.PasteTable.Column;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV and booktabs LaTeX of a results table: escaping, mean ± std, missing values; SVG charts. */
class PasteTableTest {
    @TempDir
    Path tmp;

    private static PasteTable table() {
        return PasteTable.builder().optCaption("Avg & Wg Acc, 100% of seeds_0").optLabel("tab:x")
                .addColumn(Column.text("method", "method"))
                .addColumn(Column.meanStd("Avg Acc (%)", "avg_acc_pct", "%.2f", "%.4f"))
                .addColumn(Column.number("worst group", "worst_group", "%.0f", "%.0f"))
                .addColumn(Column.meanStd("Val Wg (%)", "val_wg_pct", "%.2f", "%.4f"))
                .addColumn(Column.text("seeds", "seeds").csvOnly())
                .addRow(List.of(Cell.text("cert_r4 #1"), Cell.meanStd(97.0213, 0.3149), Cell.number(2), Cell.empty(),
                        Cell.text("0,1")))
                .addRow(List.of(Cell.text("a \"quoted\" & 50%"), Cell.meanStd(88.5, Double.NaN), Cell.number(0),
                        Cell.empty(), Cell.text("3")))
                .build();
    }

    @Test
    void latexSpecialCharactersAreEscaped() {
        assertEquals("cert\\_r4", PasteTable.escapeLatex("cert_r4"));
        assertEquals("100\\%", PasteTable.escapeLatex("100%"));
        assertEquals("A \\& B", PasteTable.escapeLatex("A & B"));
        assertEquals("\\#1", PasteTable.escapeLatex("#1"));
        assertEquals("\\$x\\$ \\{y\\}", PasteTable.escapeLatex("$x$ {y}"));
        assertEquals("a\\textbackslash{}b \\textasciitilde{}\\textasciicircum{} \\textless{}\\textgreater{}",
                PasteTable.escapeLatex("a\\b ~^ <>"));
        assertEquals("1 $\\pm$ 2 $\\times$ 3", PasteTable.escapeLatex("1 ± 2 × 3"));
        assertEquals("plain text, 0.5", PasteTable.escapeLatex("plain text, 0.5"));
    }

    @Test
    void csvFieldsAreQuotedOnlyWhenNeeded() {
        assertEquals("cert-r4", PasteTable.escapeCsv("cert-r4"));
        assertEquals("\"0,1\"", PasteTable.escapeCsv("0,1"));
        assertEquals("\"say \"\"hi\"\"\"", PasteTable.escapeCsv("say \"hi\""));
        assertEquals("\"two\nlines\"", PasteTable.escapeCsv("two\nlines"));
    }

    @Test
    void csvHasAMeanAndAStdColumnPerMeanStdColumnAndEmptyFieldsForMissingValues() {
        List<String> lines = table().csv().lines().toList();
        assertEquals(List.of("method,avg_acc_pct_mean,avg_acc_pct_std,worst_group,val_wg_pct_mean,val_wg_pct_std,seeds",
                "cert_r4 #1,97.0213,0.3149,2,,,\"0,1\"",
                "\"a \"\"quoted\"\" & 50%\",88.5000,,0,,,3"), lines);
    }

    @Test
    void latexIsABooktabsTableWithPlusMinusAndWithoutEmptyOrCsvOnlyColumns() {
        String tex = table().latex();
        assertTrue(tex.contains("\\usepackage{booktabs}"), tex);
        assertTrue(tex.contains("\\caption{Avg \\& Wg Acc, 100\\% of seeds\\_0}"), tex);
        assertTrue(tex.contains("\\label{tab:x}"), tex);
        assertTrue(tex.contains("\\begin{tabular}{lrr}"), "method, Avg Acc, worst group: " + tex);
        List<String> lines = tex.lines().map(String::strip).toList();
        int top = lines.indexOf("\\toprule");
        assertTrue(top > 0, tex);
        assertEquals("method & Avg Acc (\\%) & worst group \\\\", lines.get(top + 1));
        assertEquals("\\midrule", lines.get(top + 2));
        assertEquals("cert\\_r4 \\#1 & 97.02 $\\pm$ 0.31 & 2 \\\\", lines.get(top + 3));
        assertEquals("a \"quoted\" \\& 50\\% & 88.50 & 0 \\\\", lines.get(top + 4), "no std: the mean alone");
        assertEquals("\\bottomrule", lines.get(top + 5));
        assertFalse(tex.contains("Val Wg") || tex.contains("seeds &"), tex);
        assertTrue(tex.strip().endsWith("\\end{table}"), tex);
    }

    @Test
    void rowsMustMatchTheColumns() {
        PasteTable.Builder b = PasteTable.builder().addColumn(Column.number("n", "n", "%.0f", "%.0f"));
        assertThrows(IllegalArgumentException.class, () -> b.addRow(List.of(Cell.text("x"))));
        assertThrows(IllegalArgumentException.class, () -> b.addRow(List.of(Cell.number(1), Cell.number(2))));
        b.addRow(List.of(Cell.number(Double.NaN)));
        assertThrows(IllegalStateException.class, () -> b.addColumn(Column.text("late", "late")));
        assertEquals("n\n\n", b.build().csv(), "NaN is a missing value");
    }

    @Test
    void chartsAreWrittenAsSvgAtomically() throws Exception {
        byte[] svg = AccuracyChart.of("t", List.of("erm", "rrr")).addMeasure("Wg Acc", new double[] {50, 60})
                .svg(400, 300);
        Path file = tmp.resolve("acc.svg");
        AtomicFiles.write(file, svg);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("<?xml") && text.contains("<svg"), text.substring(0, Math.min(200, text.length())));
        String curve = new String(CurveChart.of("c", "epoch", "%").addSeries("a", new double[] {1, 2},
                new double[] {3, 4}).svg(400, 300), StandardCharsets.UTF_8);
        assertTrue(curve.contains("<svg"), curve);
        try (var listing = Files.list(tmp)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file is left behind");
        }
    }
}
