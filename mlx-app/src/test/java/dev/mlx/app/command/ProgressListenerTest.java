package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress shown inside an epoch: plain lines off a terminal, a redrawn bar on one, nothing with -q. */
class ProgressListenerTest {
    private static String drive(ProgressListener p) {
        double[] sum = {0};
        for (int step = 1; step <= 4; step++) {
            sum[0] += 2.0 / step;
            int done = step;
            p.onStep(1, step, 4, () -> sum[0] / done);
        }
        return "";
    }

    @Test
    void offATerminalPrintsPlainLinesWithStepRateEtaAndRunningLoss() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressListener p = new ProgressListener(new PrintStream(buf, true, StandardCharsets.UTF_8), "rrr", 3, 50,
                false, false, 0);
        drive(p);
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), "one line per step with a zero interval: " + lines);
        String last = lines.get(3);
        assertTrue(last.startsWith("rrr      epoch  1/3 step 4/4  "), last);
        assertTrue(last.contains(" samples/s  ETA ") && !last.contains("\r"), last);
        // the running mean of 2, 1, 2/3, 1/2
        assertTrue(last.endsWith("loss+penalty " + String.format(java.util.Locale.ROOT, "%.4f", (2 + 1 + 2.0 / 3 + 0.5) / 4)),
                last);
    }

    @Test
    void offATerminalTheDefaultIntervalKeepsShortEpochsSilent() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        drive(new ProgressListener(new PrintStream(buf, true, StandardCharsets.UTF_8), "rrr", 3, 50, false, false,
                ProgressListener.PLAIN_INTERVAL_NANOS));
        assertEquals("", buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndQuietShowsNothing() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        drive(new ProgressListener(new PrintStream(buf, true, StandardCharsets.UTF_8), "erm", 1, 10, false, true,
                ProgressListener.PLAIN_INTERVAL_NANOS));
        String drawn = buf.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.startsWith("\r") && !drawn.contains("\n") && drawn.contains("[########################] 4/4"),
                drawn);
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        drive(new ProgressListener(new PrintStream(quiet, true, StandardCharsets.UTF_8), "erm", 1, 10, true, true, 0));
        assertEquals("", quiet.toString(StandardCharsets.UTF_8));
    }
}
