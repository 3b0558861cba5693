package io.watchtower.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One ping of a service's history, an element of {@link WatchtowerClient#pings(String)}: a pulse,
 * a run's start or failure, or a log line, whichever way it came in (the API, the command line, a
 * ping URL, an Uptime Kuma push, Alertmanager). Immutable.
 *
 * <p>Kind and source are strings, so that a value newer than this library still reads.
 */
public final class Ping {
    private final Instant date;
    private final String kind;
    private final String source;
    private final String client;
    private final String userAgent;
    private final String body;
    private final Duration duration;
    private final long count;
    private final Instant lastDate;

    private Ping(Json.Fields f) {
        this.date = Wire.instant(f.string("date"));
        this.kind = f.string("kind");
        this.source = f.string("source");
        this.client = f.optionalString("client");
        this.userAgent = f.optionalString("userAgent");
        this.body = f.optionalString("body");
        this.duration = f.has("duration") ? Wire.duration(f.number("duration")) : null;
        this.count = f.has("count") ? f.number("count").longValue() : 1;
        this.lastDate = f.has("lastDate") ? Wire.instant(f.string("lastDate")) : null;
    }

    static Ping fromJson(Object json) {
        return new Ping(Json.Fields.of(json, "ping"));
    }

    /** When the server received it. */
    public Instant getDate() {
        return date;
    }

    /**
     * What it said: {@code "pulse"} (alive), {@code "start"} (a run began; it pulses too),
     * {@code "fail"} (the run failed: the service is dead) or {@code "log"} (output only).
     */
    public String getKind() {
        return kind;
    }

    /**
     * The way it came in: {@code "api"}, {@code "cli"} (the API, from the {@code watchtower} command
     * line), {@code "ping"} (a ping URL), {@code "kuma"} or {@code "alertmanager"}.
     */
    public String getSource() {
        return source;
    }

    /** The address of the client that sent it (behind a trusted proxy, the one it forwards for), if known. */
    public Optional<String> getClient() {
        return Optional.ofNullable(client);
    }

    /** The sender's {@code User-Agent} (its first 256 bytes), if it gave one. */
    public Optional<String> getUserAgent() {
        return Optional.ofNullable(userAgent);
    }

    /** The first KiB of its body (for a failure: its message), if it had one that is not blank. */
    public Optional<String> getBody() {
        return Optional.ofNullable(body);
    }

    /**
     * How long the run took, on the pulse or failure that ended a run a {@code "start"} began:
     * from that start to this ping. Empty on other pings.
     */
    public Optional<Duration> getDuration() {
        return Optional.ofNullable(duration);
    }

    /**
     * How many pulses this entry stands for: 1, unless the server folded identical plain pulses into
     * it. A pulse with no body, from the same source, client and user agent as the entry, that comes
     * within 60 seconds of the entry's first and does not end a run, is counted here instead of taking
     * an entry of its own. Starts, failures, logs, pulses with a body and the pulse that ends a run
     * are never folded.
     */
    public long getCount() {
        return count;
    }

    /**
     * When the last pulse folded into this entry came ({@link #getDate()} is the first's). Empty
     * unless {@link #getCount()} is more than 1.
     */
    public Optional<Instant> getLastDate() {
        return Optional.ofNullable(lastDate);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Ping)) {
            return false;
        }
        Ping that = (Ping) o;
        return date.equals(that.date) && kind.equals(that.kind) && source.equals(that.source)
                && Objects.equals(client, that.client) && Objects.equals(userAgent, that.userAgent)
                && Objects.equals(body, that.body) && Objects.equals(duration, that.duration)
                && count == that.count && Objects.equals(lastDate, that.lastDate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(date, kind, source, client, userAgent, body, duration, count, lastDate);
    }

    @Override
    public String toString() {
        return "Ping{date=" + date + ", kind=" + kind + ", source=" + source
                + (client != null ? ", client=" + client : "")
                + (userAgent != null ? ", userAgent=" + userAgent : "")
                + (body != null ? ", body=" + body : "")
                + (duration != null ? ", duration=" + duration : "")
                + (count != 1 ? ", count=" + count : "")
                + (lastDate != null ? ", lastDate=" + lastDate : "") + "}";
    }
}
