package io.watchtower.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A cron expression explained by the server, as a pulse's {@code schedule} would take it: in
 * words, with its next times. The answer to
 * {@link WatchtowerClient#explainSchedule(String, String, Integer)}. Immutable.
 */
public final class ScheduleExplanation {
    private final String schedule;
    private final String tz;
    private final String description;
    private final List<Instant> next;

    private ScheduleExplanation(Json.Fields f) {
        this.schedule = f.string("schedule");
        this.tz = f.string("tz");
        this.description = f.string("description");
        List<Instant> times = new ArrayList<>();
        for (Object item : f.array("next")) {
            if (!(item instanceof String)) {
                throw new IllegalArgumentException("schedule.next: expected dates");
            }
            times.add(Wire.instant((String) item));
        }
        this.next = Collections.unmodifiableList(times);
    }

    static ScheduleExplanation fromJson(Object json) {
        return new ScheduleExplanation(Json.Fields.of(json, "schedule"));
    }

    /**
     * The query string of {@code GET /schedule}, without the {@code ?}: {@code schedule}, then
     * {@code tz} and {@code count} unless {@code null}.
     */
    static String query(String schedule, String tz, Integer count) {
        StringBuilder q = new StringBuilder("schedule=").append(EventQuery.encode(Objects.requireNonNull(schedule, "schedule")));
        if (tz != null) {
            q.append("&tz=").append(EventQuery.encode(tz));
        }
        if (count != null) {
            q.append("&count=").append(count);
        }
        return q.toString();
    }

    /** The expression, as the server read it, e.g. {@code "30 2 * * 1-5"} or {@code "@hourly"}. */
    public String getSchedule() {
        return schedule;
    }

    /** The IANA time zone it is read in: the one asked for, or {@code "UTC"}. */
    public String getTz() {
        return tz;
    }

    /** The expression in words, e.g. {@code "At 02:30, on Monday, Tuesday, Wednesday, Thursday, and Friday."} */
    public String getDescription() {
        return description;
    }

    /** Its next times after the server's now, earliest first (millisecond precision). Unmodifiable. */
    public List<Instant> getNext() {
        return next;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ScheduleExplanation)) {
            return false;
        }
        ScheduleExplanation that = (ScheduleExplanation) o;
        return schedule.equals(that.schedule) && tz.equals(that.tz) && description.equals(that.description)
                && next.equals(that.next);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schedule, tz, description, next);
    }

    @Override
    public String toString() {
        return "ScheduleExplanation{schedule=" + schedule + ", tz=" + tz + ", description=" + description
                + ", next=" + next + "}";
    }
}
