package io.watchtower.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An alert as it fared: what the server's outbox holds about it, to see why an alert did (or did
 * not) arrive. An element of {@link WatchtowerClient#listAlerts(AlertQuery)}. Immutable.
 *
 * <p>Its kind, state and alert type are strings, as the protocol names them, so that a value
 * newer than this library still reads.
 */
public final class AlertRecord {
    private final long id;
    private final String kind;
    private final String service;
    private final String alertType;
    private final String alertTarget;
    private final Instant created;
    private final String state;
    private final int attempts;
    private final String lastError;
    private final Instant nextAttempt;
    private final Long fannedFrom;

    private AlertRecord(Json.Fields f) {
        this.id = f.number("id").longValue();
        this.kind = f.string("kind");
        this.service = f.string("service");
        this.alertType = f.string("alertType");
        this.alertTarget = f.string("alertTarget");
        this.created = Wire.instant(f.string("created"));
        this.state = f.string("state");
        this.attempts = f.number("attempts").intValue();
        this.lastError = f.optionalString("lastError");
        this.nextAttempt = f.has("nextAttempt") ? Wire.instant(f.string("nextAttempt")) : null;
        this.fannedFrom = f.has("fannedFrom") ? f.number("fannedFrom").longValue() : null;
    }

    static AlertRecord fromJson(Object json) {
        return new AlertRecord(Json.Fields.of(json, "alert"));
    }

    /** The server's id for the alert, increasing in the order alerts were made. */
    public long getId() {
        return id;
    }

    /**
     * What it is about: {@code "down"}, {@code "up"}, {@code "reminder"}, {@code "flapping"},
     * {@code "stable"}, {@code "digest"} or {@code "event"}; another value from a newer server is
     * passed on as is.
     */
    public String getKind() {
        return kind;
    }

    /** The service it is about ({@code "*"} for a digest). */
    public String getService() {
        return service;
    }

    /**
     * The channel, as the protocol names it: {@code "webhook"}, {@code "mail"}, {@code "route"}…
     * {@link AlertType#parse(String)} converts it.
     */
    public String getAlertType() {
        return alertType;
    }

    /** Where it goes: an e-mail address, a key, or the name of a configured webhook or route… */
    public String getAlertTarget() {
        return alertTarget;
    }

    /** When the server made it (millisecond precision). */
    public Instant getCreated() {
        return created;
    }

    /**
     * Where it stands: {@code "pending"} (waiting for triage, delivery or a retry),
     * {@code "sent"}, {@code "failed"} (given up), {@code "cancelled"} (its service was cancelled
     * or paused), {@code "suppressed"} (kept back by the policy) or {@code "digested"} (folded
     * into a digest); another value from a newer server is passed on as is.
     */
    public String getState() {
        return state;
    }

    /** The delivery attempts so far. */
    public int getAttempts() {
        return attempts;
    }

    /** The channel's last error, if an attempt failed (e.g. {@code "transient: HTTP 503 …"}). */
    public Optional<String> getLastError() {
        return Optional.ofNullable(lastError);
    }

    /** When it is tried next; only while it is {@code "pending"}. */
    public Optional<Instant> getNextAttempt() {
        return Optional.ofNullable(nextAttempt);
    }

    /**
     * For one channel's delivery of an alert to a route: the {@linkplain #getId() id} of the
     * route's alert, which is listed too.
     */
    public Optional<Long> getFannedFrom() {
        return Optional.ofNullable(fannedFrom);
    }

    /**
     * Whether it is pending after a failed attempt: its channel is in trouble (what
     * {@link AlertQuery#FAILING} lists).
     */
    public boolean isFailing() {
        return "pending".equals(state) && attempts > 0;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AlertRecord)) {
            return false;
        }
        AlertRecord that = (AlertRecord) o;
        return id == that.id && kind.equals(that.kind) && service.equals(that.service)
                && alertType.equals(that.alertType) && alertTarget.equals(that.alertTarget)
                && created.equals(that.created) && state.equals(that.state) && attempts == that.attempts
                && Objects.equals(lastError, that.lastError) && Objects.equals(nextAttempt, that.nextAttempt)
                && Objects.equals(fannedFrom, that.fannedFrom);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, kind, service, alertType, alertTarget, created, state, attempts, lastError,
                nextAttempt, fannedFrom);
    }

    @Override
    public String toString() {
        return "AlertRecord{id=" + id + ", kind=" + kind + ", service=" + service
                + ", alertType=" + alertType + ", alertTarget=" + alertTarget + ", created=" + created
                + ", state=" + state + ", attempts=" + attempts
                + (lastError != null ? ", lastError=" + lastError : "")
                + (nextAttempt != null ? ", nextAttempt=" + nextAttempt : "")
                + (fannedFrom != null ? ", fannedFrom=" + fannedFrom : "") + "}";
    }
}
