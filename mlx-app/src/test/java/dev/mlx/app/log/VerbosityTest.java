package dev.mlx.app.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VerbosityTest {
    @Test
    void readsQuietAndVerboseAnywhereBeforeDoubleDash() {
        assertEquals(Verbosity.NORMAL, Verbosity.of(new String[] {"train", "-r", "rrr"}));
        assertEquals(Verbosity.QUIET, Verbosity.of(new String[] {"train", "-q"}));
        assertEquals(Verbosity.QUIET, Verbosity.of(new String[] {"--quiet", "train", "-v"}));
        assertEquals(Verbosity.VERBOSE, Verbosity.of(new String[] {"-v", "compare"}));
        assertEquals(Verbosity.DEBUG, Verbosity.of(new String[] {"train", "-v", "--verbose"}));
        assertEquals(Verbosity.DEBUG, Verbosity.of(new String[] {"-vv", "train"}));
        assertEquals(Verbosity.NORMAL, Verbosity.of(new String[] {"train", "--", "-v"}));
    }
}
