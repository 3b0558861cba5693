package io.watchtower.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An API key as the server lists it: everything but its secret, which only
 * {@link WatchtowerClient#createKey(String, String, String, String) createKey} answers, once (see
 * {@link CreatedKey}). An element of {@link WatchtowerClient#listKeys()}, or the answer to
 * {@link WatchtowerClient#revokeKey(String)}. Immutable.
 */
public final class ApiKey {
    private final String name;
    private final String scope;
    private final String prefix;
    private final Instant created;
    private final Instant expires;
    private final Instant revoked;
    private final Instant lastUsed;

    private ApiKey(Json.Fields f) {
        this.name = f.string("name");
        this.scope = f.string("scope");
        this.prefix = f.optionalString("prefix");
        this.created = Wire.instant(f.string("created"));
        this.expires = f.has("expires") ? Wire.instant(f.string("expires")) : null;
        this.revoked = f.has("revoked") ? Wire.instant(f.string("revoked")) : null;
        this.lastUsed = f.has("lastUsed") ? Wire.instant(f.string("lastUsed")) : null;
    }

    static ApiKey fromJson(Object json) {
        return new ApiKey(Json.Fields.of(json, "key"));
    }

    /** The key's name, unique among the live keys. */
    public String getName() {
        return name;
    }

    /**
     * What it may do: {@code "read"} (every {@code GET}), {@code "ingest"} (pulses and events only,
     * no reads), {@code "write"} (ingest, reads, cancels and snoozes) or {@code "admin"}
     * (everything, keys included); another value from a newer server is passed on as is.
     */
    public String getScope() {
        return scope;
    }

    /** The prefix the names of the services it may touch must start with, if it has one. */
    public Optional<String> getPrefix() {
        return Optional.ofNullable(prefix);
    }

    /** When it was created. */
    public Instant getCreated() {
        return created;
    }

    /** When it stops working, if it was created with an expiry. */
    public Optional<Instant> getExpires() {
        return Optional.ofNullable(expires);
    }

    /** When it was revoked, if it was. */
    public Optional<Instant> getRevoked() {
        return Optional.ofNullable(revoked);
    }

    /**
     * When it was last used, to within a second or so (the server records uses in the
     * background), if it has been used.
     */
    public Optional<Instant> getLastUsed() {
        return Optional.ofNullable(lastUsed);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ApiKey)) {
            return false;
        }
        ApiKey that = (ApiKey) o;
        return name.equals(that.name) && scope.equals(that.scope) && Objects.equals(prefix, that.prefix)
                && created.equals(that.created) && Objects.equals(expires, that.expires)
                && Objects.equals(revoked, that.revoked) && Objects.equals(lastUsed, that.lastUsed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, scope, prefix, created, expires, revoked, lastUsed);
    }

    @Override
    public String toString() {
        return "ApiKey{name=" + name + ", scope=" + scope
                + (prefix != null ? ", prefix=" + prefix : "")
                + ", created=" + created
                + (expires != null ? ", expires=" + expires : "")
                + (revoked != null ? ", revoked=" + revoked : "")
                + (lastUsed != null ? ", lastUsed=" + lastUsed : "") + "}";
    }
}
