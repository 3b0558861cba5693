package io.watchtower.client;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An alert channel the server has configured, and what it takes as {@code alertTarget}: an element
 * of {@link Channels#getChannels()}. Never a URL, a token or a key. Immutable.
 *
 * <p>Its alert type and form are strings, as the protocol names them, so that a value newer than
 * this library still reads.
 */
public final class Channel {
    /** The {@linkplain #getForm() form} of a channel that takes one of its {@linkplain #getTargets() targets}. */
    public static final String NAMED = "named";

    /** The {@linkplain #getForm() form} of a channel that takes an e-mail address. */
    public static final String EMAIL = "email";

    /** The {@linkplain #getForm() form} of a channel that takes text matching its {@linkplain #getPattern() pattern}. */
    public static final String PATTERN = "pattern";

    private final String alertType;
    private final String form;
    private final List<String> targets;
    private final String pattern;
    private final Integer maxChars;

    private Channel(Json.Fields f) {
        this.alertType = f.string("alertType");
        this.form = f.string("form");
        this.targets = f.has("targets") ? f.strings("targets") : Collections.<String>emptyList();
        this.pattern = f.optionalString("pattern");
        this.maxChars = f.has("maxChars") ? f.number("maxChars").intValue() : null;
    }

    static Channel fromJson(Object json) {
        return new Channel(Json.Fields.of(json, "channel"));
    }

    /**
     * The alert type a pulse names to use it: {@code "mail"}, {@code "webhook"}, {@code "ntfy"},
     * {@code "route"}… {@link AlertType#parse(String)} converts it.
     */
    public String getAlertType() {
        return alertType;
    }

    /**
     * What it takes as {@code alertTarget}: {@link #NAMED} (one of {@link #getTargets()}),
     * {@link #EMAIL} (an e-mail address) or {@link #PATTERN} (text matching {@link #getPattern()},
     * at most {@link #getMaxChars()} characters); another value from a newer server is passed on
     * as is.
     */
    public String getForm() {
        return form;
    }

    /**
     * The names it takes, for a {@link #NAMED} channel (a webhook's or a route's names, in the
     * server's order); empty for the other forms. Unmodifiable.
     */
    public List<String> getTargets() {
        return targets;
    }

    /**
     * The regular expression a target must match, for a {@link #PATTERN} channel, e.g.
     * {@code "^[A-Za-z0-9_-]{1,64}$"} for an ntfy topic.
     */
    public Optional<String> getPattern() {
        return Optional.ofNullable(pattern);
    }

    /** The longest target, in characters, for a {@link #PATTERN} channel. */
    public Optional<Integer> getMaxChars() {
        return Optional.ofNullable(maxChars);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Channel)) {
            return false;
        }
        Channel that = (Channel) o;
        return alertType.equals(that.alertType) && form.equals(that.form) && targets.equals(that.targets)
                && Objects.equals(pattern, that.pattern) && Objects.equals(maxChars, that.maxChars);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertType, form, targets, pattern, maxChars);
    }

    @Override
    public String toString() {
        return "Channel{alertType=" + alertType + ", form=" + form
                + (targets.isEmpty() ? "" : ", targets=" + targets)
                + (pattern != null ? ", pattern=" + pattern : "")
                + (maxChars != null ? ", maxChars=" + maxChars : "") + "}";
    }
}
