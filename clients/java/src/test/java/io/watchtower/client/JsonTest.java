package io.watchtower.client;

import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON codec, without a server. */
public final class JsonTest {
    @Test
    public void parsesEscapes() {
        assertEquals("a\"b\\c/d\be\ff\ng\rh\ti", Json.parse("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\""));
        assertEquals("\u0000\u001f", Json.parse("\"\\u0000\\u001F\""));
    }

    @Test
    public void parsesUnicode() {
        assertEquals("é✓", Json.parse("\"é✓\""), "raw characters");
        assertEquals("é✓", Json.parse("\"\\u00e9\\u2713\""), "escaped BMP characters");
        assertEquals("😀", Json.parse("\"\\ud83d\\ude00\""), "an escaped surrogate pair");
        assertEquals("x😀y", Json.parse("\"x😀y\""), "a raw astral character");
    }

    @Test
    public void parsesNumbers() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(-42L, Json.parse("-42"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        assertEquals(1.5, Json.parse("1.5"));
        assertEquals(-0.25, Json.parse("-0.25"));
        assertEquals(90000.0, Json.parse("90000.0"));
        assertEquals(1e-9, Json.parse("1e-9"));
        assertEquals(2.5e10, Json.parse("2.5E+10"));
    }

    @Test
    public void parsesStructures() {
        Object value = Json.parse(" {\"a\": [1, true, false, null, {}, []], \"b\" : {\"c\": \"d\"}}\n");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1L, true, false, null, Collections.emptyMap(), Collections.emptyList()));
        expected.put("b", Collections.singletonMap("c", "d"));
        assertEquals(expected, value);
        assertEquals(Arrays.asList("a", "b"), Arrays.asList(((Map<?, ?>) value).keySet().toArray()), "key order kept");
    }

    @Test
    public void rejectsMalformedDocuments() {
        String[] bad = {
            "", " ", "{", "}", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "\"unterminated",
            "\"bad \\x escape\"", "\"\\u12\"", "\"\\u12g4\"", "\"raw\ncontrol\"", "01", "-", "1.", ".5", "1e",
            "+1", "tru", "nul", "[1] [2]", "NaN", "'single'",
        };
        for (final String text : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
            assertTrue(e.getMessage().startsWith("invalid JSON at offset "), "message of " + text + ": " + e.getMessage());
        }
    }

    @Test
    public void limitsNesting() {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            deep.append('[');
        }
        assertThrows(IllegalArgumentException.class, () -> Json.parse(deep.toString()));
    }

    @Test
    public void writesEscapes() {
        assertEquals("\"a\\\"b\\\\c/d\\be\\ff\\ng\\rh\\ti\"", Json.write("a\"b\\c/d\be\ff\ng\rh\ti"));
        assertEquals("\"\\u0000\\u001f\\u2028\"", Json.write("\u0000\u001f\u2028"));
        assertEquals("\"é✓😀\"", Json.write("é✓😀"), "non-ASCII characters are written as they are");
    }

    @Test
    public void writesValues() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("s", "x");
        map.put("i", 42);
        map.put("l", -7L);
        map.put("d", 90000.0);
        map.put("f", 0.5);
        map.put("tiny", 1e-9);
        map.put("big", new BigDecimal("1.250"));
        map.put("t", true);
        map.put("n", null);
        map.put("a", Arrays.asList(1, "two", Collections.emptyMap()));
        assertEquals("{\"s\":\"x\",\"i\":42,\"l\":-7,\"d\":90000,\"f\":0.5,\"tiny\":0.000000001,\"big\":1.250,"
                + "\"t\":true,\"n\":null,\"a\":[1,\"two\",{}]}", Json.write(map));
    }

    @Test
    public void rejectsUnwritableValues() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Collections.singletonMap(1, "x")));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    public void roundTrips() {
        String tricky = "quote \" backslash \\ slash / newline \n tab \t nul \u0000 bell \u0007 é ✓ 😀 \ud83d\ude00 \u2029";
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(tricky, Arrays.asList(tricky, 1L, 2.5, false, null));
        map.put("nested", Collections.singletonMap("deeper", Collections.singletonList(Collections.emptyMap())));
        assertEquals(map, Json.parse(Json.write(map)));
        List<Object> big = Arrays.<Object>asList(Long.MIN_VALUE, Long.MAX_VALUE, new BigInteger("123456789012345678901234567890"));
        assertEquals(big, Json.parse(Json.write(big)));
    }
}
