package io.watchtower.client;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
