package io.watchtower.client;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An event's attributes: names to strings, numbers or booleans, sent with an event and matched by
 * {@code attr.NAME=VALUE} filters.
 *
 * <p>Values are kept as the server answers them, so that what was sent equals what comes back:
 * {@link String}, {@link Boolean}, {@link Long} (an integer; {@link BigInteger} above
 * {@code Long.MAX_VALUE}, up to 2<sup>64</sup> − 1) or {@link Double} (a number with a fraction
 * or an exponent, or an integer beyond 64 bits). Integers of any {@code Number} type become
 * {@code Long}, a {@code Float} the {@code Double} it is written as, a {@link BigDecimal} with
 * digits after its point a {@code Double}, one without them an integer.
 */
final class Attributes {
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Attributes() {}

    /**
     * {@code attributes}' values as the server answers them, in the map's order.
     *
     * @throws IllegalArgumentException if a value is not a string, a number or a boolean (or is
     *     {@code null}, or a number that is not finite); the names are left to the server to check
     */
    static Map<String, Object> checked(Map<String, ?> attributes) {
        Map<String, Object> checked = new LinkedHashMap<>();
        for (Map.Entry<String, ?> entry : attributes.entrySet()) {
            String name = Objects.requireNonNull(entry.getKey(), "an attribute's name");
            checked.put(name, value(name, entry.getValue()));
        }
        return checked;
    }

    /**
     * {@code value} as the server answers it.
     *
     * @throws IllegalArgumentException if it is not a string, a number or a boolean
     */
    static Object value(String name, Object value) {
        if (value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger) {
            return integer(name, (BigInteger) value);
        }
        if (value instanceof Double) {
            return finite(name, (Double) value);
        }
        if (value instanceof Float) {
            // 0.1f is meant as 0.1, not as the double nearest to the float nearest to 0.1.
            return finite(name, Double.parseDouble(value.toString()));
        }
        if (value instanceof BigDecimal) {
            BigDecimal decimal = (BigDecimal) value;
            return decimal.scale() <= 0 ? integer(name, decimal.toBigIntegerExact()) : finite(name, decimal.doubleValue());
        }
        throw new IllegalArgumentException("attributes: `" + name + "` must be a String, a Number (an integer type,"
                + " BigInteger, Float, Double or BigDecimal) or a Boolean, not "
                + (value == null ? "null" : "a " + value.getClass().getName()));
    }

    /** An integer as the server keeps it: 64 bits, signed or not, or else a double. */
    private static Object integer(String name, BigInteger integer) {
        if (integer.bitLength() < 64) {
            return integer.longValue();
        }
        if (integer.signum() > 0 && integer.compareTo(MAX_U64) <= 0) {
            return integer;
        }
        return finite(name, integer.doubleValue());
    }

    private static Double finite(String name, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("attributes: `" + name + "` must be a finite number, not " + value);
        }
        return value;
    }

    /**
     * Checked attributes as the request body's {@code attributes} object: a double is written as
     * the server writes it ({@code 1000.0}, {@code 1e+20}), so that it stays a double.
     */
    static Map<String, Object> toJson(Map<String, Object> checked) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : checked.entrySet()) {
            Object value = entry.getValue();
            json.put(entry.getKey(), value instanceof Double ? new Literal(text(value)) : value);
        }
        return json;
    }

    /**
     * A number {@link Json#write(Object)} writes as it is: it writes a {@code Number} of a type
     * it does not know by its {@code toString()}.
     */
    private static final class Literal extends Number {
        private static final long serialVersionUID = 1L;
        private final String text;

        Literal(String text) {
            this.text = text;
        }

        @Override
        public int intValue() {
            return (int) doubleValue();
        }

        @Override
        public long longValue() {
            return (long) doubleValue();
        }

        @Override
        public float floatValue() {
            return (float) doubleValue();
        }

        @Override
        public double doubleValue() {
            return Double.parseDouble(text);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * A checked value as an {@code attr.NAME=VALUE} filter compares it: a string as it is, a
     * boolean as {@code true} or {@code false}, a number in its JSON form as the server writes it
     * ({@code 503}, {@code 0.25}, {@code 1000.0}, {@code 1e+20}, {@code 1e-7}).
     */
    static String text(Object value) {
        if (value instanceof Double) {
            return doubleText((Double) value);
        }
        return value.toString();
    }

    /**
     * {@code value} as the server's JSON writes a double: the fewest significant digits that read
     * back as it (the nearest such if several), plainly from 10<sup>-5</sup> to below
     * 10<sup>16</sup> (with a {@code .0} when whole), else in scientific notation ({@code 1e+16},
     * {@code 1.5e-7}).
     */
    static String doubleText(double value) {
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(value);
        BigDecimal shortest = null;
        for (int precision = 1; shortest == null; precision++) {
            // The decimals of this many digits nearest below and above the exact value: if any
            // decimal of this many digits reads back as the value, one of these two does.
            BigDecimal down = exact.round(new MathContext(precision, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(precision, RoundingMode.UP));
            boolean downReads = down.doubleValue() == value;
            boolean upReads = up.doubleValue() == value;
            if (downReads && upReads) {
                int closer = exact.subtract(down).abs().compareTo(up.subtract(exact).abs());
                boolean downEven = !down.unscaledValue().testBit(0);
                shortest = closer < 0 || (closer == 0 && downEven) ? down : up;
            } else if (downReads) {
                shortest = down;
            } else if (upReads) {
                shortest = up;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int length = digits.length();
        int exponent = -shortest.scale();   // value = digits × 10^exponent
        int point = length + exponent;      // 10^(point-1) <= |value| < 10^point
        StringBuilder out = new StringBuilder(value < 0 ? "-" : "");
        if (exponent >= 0 && point <= 16) {
            out.append(digits);
            for (int i = 0; i < exponent; i++) {
                out.append('0');
            }
            out.append(".0");
        } else if (point > 0 && point <= 16) {
            out.append(digits, 0, point).append('.').append(digits, point, length);
        } else if (point > -5 && point <= 0) {
            out.append("0.");
            for (int i = 0; i < -point; i++) {
                out.append('0');
            }
            out.append(digits);
        } else {
            out.append(digits.charAt(0));
            if (length > 1) {
                out.append('.').append(digits, 1, length);
            }
            out.append('e').append(point - 1 >= 0 ? "+" : "").append(point - 1);
        }
        return out.toString();
    }

    /**
     * The {@code attributes} of an event as the server answered it: an unmodifiable map in the
     * answer's order (by name), empty when absent.
     */
    static Map<String, Object> fromJson(Json.Fields event) {
        if (!event.has("attributes")) {
            return Collections.emptyMap();
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : event.object("attributes").entrySet()) {
            Object value = entry.getValue();
            if (!(value instanceof String || value instanceof Boolean || value instanceof Number)) {
                throw new IllegalArgumentException("event.attributes." + entry.getKey()
                        + ": expected a string, a number or a boolean");
            }
            attributes.put(entry.getKey(), value);
        }
        return Collections.unmodifiableMap(attributes);
    }
}
