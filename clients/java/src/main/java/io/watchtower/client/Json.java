package io.watchtower.client;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer (RFC 8259), so that the client needs no dependency.
 *
 * <p>Values map to Java as follows: object ↔ {@link Map} (a {@link LinkedHashMap} when read,
 * keeping the order of the keys), array ↔ {@link List}, string ↔ {@link String}, number ↔
 * {@link Number} (read as {@link Long} when integral and in range, {@link BigInteger} when
 * integral and larger, {@link Double} otherwise), {@code true}/{@code false} ↔ {@link Boolean},
 * {@code null} ↔ {@code null}.
 */
final class Json {
    /** Deeper documents are rejected rather than risking a stack overflow. */
    static final int MAX_DEPTH = 512;

    private Json() {}

    // ---------------------------------------------------------------- reading

    /**
     * Parses one JSON document.
     *
     * @throws IllegalArgumentException if {@code text} is not exactly one well-formed JSON value
     *     (surrounding whitespace allowed); the message gives the offset of the problem
     */
    static Object parse(String text) {
        Reader reader = new Reader(text);
        reader.skipWhitespace();
        Object value = reader.readValue(0);
        reader.skipWhitespace();
        if (reader.pos != text.length()) {
            throw reader.error("unexpected character after the JSON value");
        }
        return value;
    }

    private static final class Reader {
        private final String text;
        private int pos;

        Reader(String text) {
            this.text = text;
        }

        IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + problem);
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        Object readValue(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            if (pos >= text.length()) {
                throw error("unexpected end of input");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{':
                    return readObject(depth);
                case '[':
                    return readArray(depth);
                case '"':
                    return readString();
                case 't':
                    return readLiteral("true", Boolean.TRUE);
                case 'f':
                    return readLiteral("false", Boolean.FALSE);
                case 'n':
                    return readLiteral("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return readNumber();
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        private Object readLiteral(String literal, Object value) {
            if (!text.startsWith(literal, pos)) {
                throw error("expected " + literal);
            }
            pos += literal.length();
            return value;
        }

        private Map<String, Object> readObject(int depth) {
            Map<String, Object> object = new LinkedHashMap<>();
            pos++; // '{'
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return object;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a string key");
                }
                String key = readString();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                object.put(key, readValue(depth + 1));
                skipWhitespace();
                char c = next();
                if (c == '}') {
                    return object;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> readArray(int depth) {
            List<Object> array = new ArrayList<>();
            pos++; // '['
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return array;
            }
            while (true) {
                skipWhitespace();
                array.add(readValue(depth + 1));
                skipWhitespace();
                char c = next();
                if (c == ']') {
                    return array;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String readString() {
            pos++; // opening quote
            StringBuilder out = new StringBuilder();
            int runStart = pos;
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    out.append(text, runStart, pos);
                    pos++;
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error("unescaped control character in a string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                out.append(text, runStart, pos);
                pos++; // backslash
                char escape = next();
                switch (escape) {
                    case '"': out.append('"'); break;
                    case '\\': out.append('\\'); break;
                    case '/': out.append('/'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'n': out.append('\n'); break;
                    case 'r': out.append('\r'); break;
                    case 't': out.append('\t'); break;
                    case 'u': out.append(readHex4()); break;
                    default:
                        pos--;
                        throw error("invalid escape '\\" + escape + "'");
                }
                runStart = pos;
            }
        }

        private char readHex4() {
            if (pos + 4 > text.length()) {
                throw error("truncated \\u escape");
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = Character.digit(text.charAt(pos), 16);
                if (digit < 0) {
                    throw error("invalid hex digit in a \\u escape");
                }
                value = value * 16 + digit;
                pos++;
            }
            // Surrogate pairs arrive as two escapes and are appended one after the other,
            // which is exactly Java's UTF-16 representation.
            return (char) value;
        }

        private Number readNumber() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (isDigit(peek())) {
                while (isDigit(peek())) {
                    pos++;
                }
            } else {
                throw error("expected a digit");
            }
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) {
                    throw error("expected a digit after '.'");
                }
                while (isDigit(peek())) {
                    pos++;
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    throw error("expected a digit in the exponent");
                }
                while (isDigit(peek())) {
                    pos++;
                }
            }
            String literal = text.substring(start, pos);
            if (integral) {
                BigInteger big = new BigInteger(literal);
                return big.bitLength() < 64 ? (Number) big.longValue() : big;
            }
            return Double.parseDouble(literal);
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        /** The current character, or NUL at the end (never valid where it is looked at). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private char next() {
            if (pos >= text.length()) {
                throw error("unexpected end of input");
            }
            return text.charAt(pos++);
        }

        private void expect(char expected) {
            if (peek() != expected) {
                throw error("expected '" + expected + "'");
            }
            pos++;
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code value} as compact JSON.
     *
     * @throws IllegalArgumentException for a value JSON cannot represent (a non-finite number,
     *     a map key that is not a string, an object of another type)
     */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("JSON value nested deeper than " + MAX_DEPTH + " levels");
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            writeString((String) value, out);
        } else if (value instanceof Boolean) {
            out.append(value.toString());
        } else if (value instanceof Number) {
            writeNumber((Number) value, out);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!(entry.getKey() instanceof String)) {
                    throw new IllegalArgumentException("JSON object keys must be strings, not " + entry.getKey());
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString((String) entry.getKey(), out);
                out.append(':');
                write(entry.getValue(), out, depth + 1);
            }
            out.append('}');
        } else if (value instanceof Iterable) {
            out.append('[');
            Iterator<?> items = ((Iterable<?>) value).iterator();
            while (items.hasNext()) {
                write(items.next(), out, depth + 1);
                if (items.hasNext()) {
                    out.append(',');
                }
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void writeNumber(Number number, StringBuilder out) {
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no representation for " + d);
            }
            out.append(BigDecimal.valueOf(d).stripTrailingZeros().toPlainString());
        } else if (number instanceof BigDecimal) {
            out.append(((BigDecimal) number).toPlainString());
        } else {
            // Long, Integer, Short, Byte, BigInteger, AtomicLong...: their decimal form.
            out.append(number.toString());
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                default:
                    // Control characters must be escaped; U+2028/U+2029 are escaped so the output
                    // is also valid JavaScript.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                                .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    // ---------------------------------------------------------------- typed access

    /** A JSON object's fields, with typed getters whose errors name the field. */
    static final class Fields {
        private final Map<String, Object> map;
        private final String what;

        private Fields(Map<String, Object> map, String what) {
            this.map = map;
            this.what = what;
        }

        @SuppressWarnings("unchecked")
        static Fields of(Object value, String what) {
            if (!(value instanceof Map)) {
                throw new IllegalArgumentException(what + ": expected a JSON object");
            }
            return new Fields((Map<String, Object>) value, what);
        }

        boolean has(String key) {
            return map.get(key) != null;
        }

        String string(String key) {
            Object value = require(key);
            if (!(value instanceof String)) {
                throw new IllegalArgumentException(what + "." + key + ": expected a string");
            }
            return (String) value;
        }

        String optionalString(String key) {
            return has(key) ? string(key) : null;
        }

        /** The boolean {@code key}, {@code false} when absent or null. */
        boolean flag(String key) {
            Object value = map.get(key);
            if (value != null && !(value instanceof Boolean)) {
                throw new IllegalArgumentException(what + "." + key + ": expected a boolean");
            }
            return Boolean.TRUE.equals(value);
        }

        Number number(String key) {
            Object value = require(key);
            if (!(value instanceof Number)) {
                throw new IllegalArgumentException(what + "." + key + ": expected a number");
            }
            return (Number) value;
        }

        List<Object> array(String key) {
            return Json.array(require(key), what + "." + key);
        }

        /** The array of strings {@code key}, unmodifiable. */
        List<String> strings(String key) {
            List<String> strings = new ArrayList<>();
            for (Object item : array(key)) {
                if (!(item instanceof String)) {
                    throw new IllegalArgumentException(what + "." + key + ": expected strings");
                }
                strings.add((String) item);
            }
            return Collections.unmodifiableList(strings);
        }

        /** The object {@code key}, its keys in the answer's order; unmodifiable. */
        Map<String, Object> object(String key) {
            Object value = require(key);
            if (!(value instanceof Map)) {
                throw new IllegalArgumentException(what + "." + key + ": expected a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) value;
            return Collections.unmodifiableMap(map);
        }

        private Object require(String key) {
            Object value = map.get(key);
            if (value == null) {
                throw new IllegalArgumentException(what + "." + key + ": missing");
            }
            return value;
        }
    }

    /** {@code value} as a list, or an error naming {@code what}. */
    static List<Object> array(Object value, String what) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(what + ": expected a JSON array");
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) value;
        return Collections.unmodifiableList(list);
    }
}
