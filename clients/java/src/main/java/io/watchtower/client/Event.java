package io.watchtower.client;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** An event as stored by the server. Immutable. */
public final class Event {
    private final long id;
    private final String service;
    private final Level level;
    private final String message;
    private final Instant date;
    private final Map<String, Object> attributes;

    private Event(Json.Fields f) {
        this.id = f.number("id").longValue();
        this.service = f.string("service");
        this.level = Level.parse(f.string("level"));
        this.message = f.string("message");
        this.date = Wire.instant(f.string("date"));
        this.attributes = Attributes.fromJson(f);
    }

    static Event fromJson(Object json) {
        return new Event(Json.Fields.of(json, "event"));
    }

    /** The server's id for the event, increasing in the order events were stored. */
    public long getId() {
        return id;
    }

    /** The service the event is about. */
    public String getService() {
        return service;
    }

    /** Its level. */
    public Level getLevel() {
        return level;
    }

    /** Its message. */
    public String getMessage() {
        return message;
    }

    /** When the server received it (millisecond precision). */
    public Instant getDate() {
        return date;
    }

    /**
     * Its attributes, sorted by name: each value a {@link String}, a {@link Boolean}, or a number —
     * a {@link Long} for an integer (a {@link java.math.BigInteger} above {@code Long.MAX_VALUE}),
     * a {@link Double} for a number written with a fraction or an exponent ({@code 1e3} comes
     * back as {@code 1000.0}). An unmodifiable map, empty when the event has none.
     */
    public Map<String, Object> getAttributes() {
        return attributes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Event)) {
            return false;
        }
        Event that = (Event) o;
        return id == that.id && service.equals(that.service) && level == that.level
                && message.equals(that.message) && date.equals(that.date) && attributes.equals(that.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, service, level, message, date, attributes);
    }

    @Override
    public String toString() {
        return "Event{id=" + id + ", date=" + date + ", service=" + service + ", level=" + level
                + ", message=" + message + (attributes.isEmpty() ? "" : ", attributes=" + attributes) + "}";
    }
}
