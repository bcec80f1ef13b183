package dev.mlx.engine.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.Scalars;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test kit's static check for DJL {@code Number} arithmetic whose operand autograd keeps. */
class BorrowedScalarCallsTest {
    /** Calls {@code mul(Number)} inside the penalty lambda (compiled into this class). */
    static final class MulNumberProvider implements RegularizerProvider {
        @Override
        public String name() {
            return "mul-number";
        }

        @Override
        public String description() {
            return "test: lambda * mean(logits) with DJL's mul(Number)";
        }

        @Override
        public ParameterSchema parameters() {
            return ParameterSchema.empty();
        }

        @Override
        public Regularizer create(HyperParameters params) {
            return (model, batch, context) -> model.logits(batch.inputs()).mean().mul(2.0);
        }
    }

    /** The same penalty through Scalars, plus harmless Number forms (add, comparisons). */
    static final class ScalarsProvider implements RegularizerProvider {
        @Override
        public String name() {
            return "scalars";
        }

        @Override
        public String description() {
            return "test: the same with Scalars";
        }

        @Override
        public ParameterSchema parameters() {
            return ParameterSchema.empty();
        }

        @Override
        public Regularizer create(HyperParameters params) {
            return (model, batch, context) -> {
                NDArray logits = model.logits(batch.inputs()).add(1);
                return Scalars.times(logits.mean(), 2.0);
            };
        }
    }

    /** A nested helper class holding the offending call: nested classes are scanned too. */
    static final class DivInNestedClassProvider implements RegularizerProvider {
        static final class Helper {
            static NDArray halve(NDArray a) {
                return a.div(2);
            }
        }

        @Override
        public String name() {
            return "div-nested";
        }

        @Override
        public String description() {
            return "test: div(Number) in a nested class";
        }

        @Override
        public ParameterSchema parameters() {
            return ParameterSchema.empty();
        }

        @Override
        public Regularizer create(HyperParameters params) {
            return (model, batch, context) -> Helper.halve(model.logits(batch.inputs()).mean());
        }
    }

    @Test
    void findsMulNumberInAPenaltyLambda() {
        assertEquals(List.of(MulNumberProvider.class.getName() + " calls NDArray.mul(Number)"),
                BorrowedScalarCalls.find(MulNumberProvider.class));
    }

    @Test
    void findsDivNumberInANestedClass() {
        assertEquals(List.of(DivInNestedClassProvider.Helper.class.getName() + " calls NDArray.div(Number)"),
                BorrowedScalarCalls.find(DivInNestedClassProvider.class));
    }

    @Test
    void acceptsScalarsAndNumberFormsWhoseOperandAutogradDoesNotKeep() {
        assertTrue(BorrowedScalarCalls.find(ScalarsProvider.class).isEmpty());
    }

    @Test
    void theKitRejectsTheOffendingProviderWithTheFix() {
        RegularizerTestKit kit = new RegularizerTestKit(SharedEngine.get());
        AssertionError e = assertThrows(AssertionError.class, () -> kit.checkNoBorrowedScalars(new MulNumberProvider()));
        assertTrue(e.getMessage().contains("mul-number") && e.getMessage().contains("NDArray.mul(Number)")
                && e.getMessage().contains("Scalars"), e.getMessage());
        kit.checkNoBorrowedScalars(new ScalarsProvider());
    }
}
