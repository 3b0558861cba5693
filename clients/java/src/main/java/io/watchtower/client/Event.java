package io.watchtower.client;

import java.time.Instant;
import java.util.Objects;

/** An event as stored by the server. Immutable. */
public final class Event {
    private final long id;
    private final String service;
    private final Level level;
    private final String message;
    private final Instant date;

    private Event(Json.Fields f) {
        this.id = f.number("id").longValue();
        this.service = f.string("service");
        this.level = Level.parse(f.string("level"));
        this.message = f.string("message");
        this.date = Wire.instant(f.string("date"));
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
                && message.equals(that.message) && date.equals(that.date);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, service, level, message, date);
    }

    @Override
    public String toString() {
        return "Event{id=" + id + ", date=" + date + ", service=" + service + ", level=" + level
                + ", message=" + message + "}";
    }
}
