package io.watchtower.client;

import java.io.UnsupportedEncodingException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Conversions between the protocol's representations and Java's. */
final class Wire {
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private Wire() {}

    /** {@code duration} as a number of seconds, exactly (fractions down to the nanosecond). */
    static BigDecimal seconds(Duration duration) {
        return BigDecimal.valueOf(duration.getSeconds())
                .add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros();
    }

    /** A number of seconds as a duration, rounded to the nanosecond. */
    static Duration duration(Number seconds) {
        BigDecimal exact = seconds instanceof Double || seconds instanceof Float
                ? BigDecimal.valueOf(seconds.doubleValue())
                : new BigDecimal(seconds.toString());
        BigDecimal nanos = exact.multiply(NANOS_PER_SECOND).setScale(0, RoundingMode.HALF_EVEN);
        BigDecimal[] parts = nanos.divideAndRemainder(NANOS_PER_SECOND);
        return Duration.ofSeconds(parts[0].longValueExact(), parts[1].longValueExact());
    }

    /**
     * {@code text} percent-encoded as one segment of a URL's path (UTF-8; a space is {@code %20},
     * a {@code /} is {@code %2F}, and {@code .} or {@code ..} have their dots encoded), so that it
     * reaches the server as the one segment it is.
     *
     * @throws IllegalArgumentException if {@code text} is empty (it would name another route)
     */
    static String pathSegment(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a path segment must not be empty");
        }
        if (text.equals(".") || text.equals("..")) {
            return text.replace(".", "%2E");
        }
        try {
            return URLEncoder.encode(text, "UTF-8").replace("+", "%20");
        } catch (UnsupportedEncodingException e) {
            throw new AssertionError("UTF-8 is always supported", e);
        }
    }

    /** An RFC 3339 date as an instant. */
    static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            // Java 8's Instant.parse wants a "Z"; the protocol's dates have one, but be lenient.
            return OffsetDateTime.parse(text).toInstant();
        }
    }
}
