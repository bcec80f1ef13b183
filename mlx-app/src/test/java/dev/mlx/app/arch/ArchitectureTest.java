package dev.mlx.app.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module architecture as rules over the production classes of every module on the test
 * class path: app -> plugins -> engine -> api, the SPI free of the engine and the wiring
 * libraries, and no package cycles (as JUnit's own {@code ArchUnitTests}).
 */
class ArchitectureTest {
    private static JavaClasses mlx;

    @BeforeAll
    static void importClasses() {
        mlx = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.mlx");
    }

    @Test
    void everyModuleIsImported() {
        for (String pkg : new String[] {"dev.mlx.api", "dev.mlx.engine", "dev.mlx.vision", "dev.mlx.app"}) {
            assertTrue(mlx.containPackage(pkg), pkg + " classes are on the test class path");
        }
        assertFalse(mlx.stream().anyMatch(c -> c.getSimpleName().endsWith("Test")), "test classes are excluded");
        assertFalse(mlx.containPackage("dev.mlx.engine.testkit"), "the engine test-jar is excluded");
    }

    @Test
    void apiDependsOnlyOnTheJdkAndDjlsApi() {
        classes().that().resideInAPackage("dev.mlx.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.mlx.api..", "ai.djl..")
                .because("a plugin author needs mlx-api (and at most ai.djl:api) and nothing else")
                .check(mlx);
    }

    @Test
    void apiNeverDependsOnTheEngineTheAppOrWiringLibraries() {
        noClasses().that().resideInAPackage("dev.mlx.api..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl.pytorch..", "ai.djl.engine..",
                        "com.google.inject..", "ch.qos.logback..", "org.slf4j..", "dev.mlx.engine..", "dev.mlx.app..",
                        "dev.mlx.vision..", "dev.mlx.text..")
                .check(mlx);
    }

    @Test
    void engineNeverDependsOnTheAppOrThePlugins() {
        noClasses().that().resideInAPackage("dev.mlx.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.mlx.app..", "dev.mlx.vision..",
                        "dev.mlx.text..", "com.google.inject..", "picocli..")
                .check(mlx);
    }

    @Test
    void pluginsNeverDependOnTheEngineOrTheApp() {
        noClasses().that().resideInAnyPackage("dev.mlx.vision..", "dev.mlx.text..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.mlx.engine..", "dev.mlx.app..",
                        "com.google.inject..", "ai.djl.pytorch..")
                .check(mlx);
    }

    @Test
    void onlyTheAppUsesGuicePicocliAndLogback() {
        noClasses().that().resideOutsideOfPackage("dev.mlx.app..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "picocli..",
                        "ch.qos.logback..")
                .check(mlx);
    }

    @Test
    void modulesAreFreeOfCycles() {
        slices().matching("dev.mlx.(*)..").should().beFreeOfCycles().check(mlx);
    }

    /** Every package of {@code dev.mlx} is its own slice, and no two packages depend on each other. */
    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.mlx.(**)").should().beFreeOfCycles().check(mlx);
    }

    /** mlx-app's packages, and their edges to the other modules, have no cycle and no exclusion. */
    @Test
    void theAppPackagesAreFreeOfCyclesWithoutExceptions() {
        slices().matching("dev.mlx.(**)").should().beFreeOfCycles()
                .ignoreDependency(resideInAPackage("dev.mlx.api.."), resideInAPackage("dev.mlx.api.."))
                .ignoreDependency(resideInAPackage("dev.mlx.engine.."), resideInAPackage("dev.mlx.engine.."))
                .check(mlx);
    }

    /**
     * DJL's {@code NDArray.mul/div/add/sub/minimum/maximum(Number)} (PyTorch engine) build the scalar
     * operand from a Java direct buffer that can be freed before libtorch's backward pass reads it,
     * which gave non-deterministic and NaN gradients. Code that builds autograd graphs uses
     * {@link dev.mlx.api.train.Scalars} instead; the classes listed here only use the Number forms
     * on arrays outside any graph (optimizer updates, attack steps under stopGradient, noise).
     */
    @Test
    void differentiatedCodeUsesOwnedScalarsNotDjlNumberArithmetic() {
        java.util.Set<String> noGradOnly = java.util.Set.of(NO_GRAD_NUMBER_ARITHMETIC);
        com.tngtech.archunit.lang.syntax.elements.ClassesShouldConjunction rule = null;
        for (String op : new String[] {"mul", "div", "minimum", "maximum", "pow"}) {
            com.tngtech.archunit.lang.syntax.elements.ClassesShouldConjunction r = rule == null
                    ? noClasses().that(com.tngtech.archunit.base.DescribedPredicate.describe("are not on the no-grad list",
                            (com.tngtech.archunit.core.domain.JavaClass c) -> !noGradOnly.contains(c.getName())))
                            .and().resideInAnyPackage("dev.mlx..")
                            .should().callMethod(ai.djl.ndarray.NDArray.class, op, Number.class)
                    : rule.orShould().callMethod(ai.djl.ndarray.NDArray.class, op, Number.class);
            rule = r;
        }
        rule.because("Number arithmetic on graph paths reads freed memory in backward; use Scalars").check(mlx);
    }

    /**
     * {@code NDManager.create(float[] / double[] / long[] / Buffer / number ...)} gives a tensor over a
     * Java direct buffer that libtorch does not own ({@code from_blob}); closed or collected while
     * autograd still holds it, the backward pass reads freed memory (the flaky token-rrr and rand-r4
     * gradients). Code that builds graphs (layers, regularizers, attributions, metrics) makes such
     * arrays through {@link dev.mlx.api.train.OwnedArrays}, which copies them into libtorch memory.
     */
    @Test
    void graphCodeBuildsArraysFromJavaDataOnlyThroughOwnedArrays() {
        java.util.Set<String> allowed = java.util.Set.of(BORROWED_JAVA_DATA);
        com.tngtech.archunit.base.DescribedPredicate<com.tngtech.archunit.core.domain.JavaMethodCall> fromJavaData =
                com.tngtech.archunit.base.DescribedPredicate.describe("NDManager.create from Java data", call ->
                        call.getName().equals("create")
                                && call.getTargetOwner().isAssignableTo(ai.djl.ndarray.NDManager.class)
                                && !call.getTarget().getRawParameterTypes().isEmpty()
                                && !call.getTarget().getRawParameterTypes().get(0)
                                        .isEquivalentTo(ai.djl.ndarray.types.Shape.class));
        noClasses().that().resideInAnyPackage("dev.mlx.api.train..", "dev.mlx.api.metric..", "dev.mlx.engine.nn..",
                        "dev.mlx.engine.text..", "dev.mlx.engine.method..", "dev.mlx.engine.attribution..",
                        "dev.mlx.engine.eval..", "dev.mlx.engine.data..", "dev.mlx.engine.train..",
                        "dev.mlx.text.method..", "dev.mlx.vision..")
                .and(com.tngtech.archunit.base.DescribedPredicate.describe("are not on the borrowed-data list",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> !allowed.contains(c.getName())))
                .should().callMethodWhere(fromJavaData)
                .because("a borrowed Java buffer can be freed before the backward pass reads it; use OwnedArrays")
                .check(mlx);
    }

    /** Classes that may build borrowed arrays (keep this list short and justified). */
    private static final String[] BORROWED_JAVA_DATA = {
        "dev.mlx.api.train.OwnedArrays", // makes the borrowed array, copies it, closes it
        "dev.mlx.text.method.GcgSearch", // every graph it builds is differentiated inside the scope that owns them
    };

    /** Classes whose Number arithmetic is only on detached arrays (keep this list short and justified). */
    private static final String[] NO_GRAD_NUMBER_ARITHMETIC = {
        "dev.mlx.engine.train.Adam", // parameter update, outside any graph
        "dev.mlx.engine.eval.EmpiricalFragilityMetricProvider", // sampling noise at evaluation, no backward
    };
}
