package io.watchtower.client;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every service's uptime on each of the last 30 UTC days: the answer to
 * {@link WatchtowerClient#dailyUptime()}, for uptime bars. Immutable.
 *
 * <p>{@link #getDates()} are the days, oldest first, today (so far) last; each service's list has
 * one share per day, in the same order: from {@code 0.0} (down all day) to {@code 1.0} (up all
 * day), or {@code null} on the days before the service was first seen.
 */
public final class DailyUptime {
    private final List<LocalDate> dates;
    private final Map<String, List<Double>> services;

    private DailyUptime(Json.Fields f) {
        List<LocalDate> days = new ArrayList<>();
        for (Object item : f.array("dates")) {
            if (!(item instanceof String)) {
                throw new IllegalArgumentException("uptime.dates: expected dates");
            }
            days.add(LocalDate.parse((String) item));
        }
        Map<String, List<Double>> byService = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : f.object("services").entrySet()) {
            String what = "uptime.services." + entry.getKey();
            List<Double> shares = new ArrayList<>();
            for (Object share : Json.array(entry.getValue(), what)) {
                if (share != null && !(share instanceof Number)) {
                    throw new IllegalArgumentException(what + ": expected numbers or null");
                }
                shares.add(share == null ? null : ((Number) share).doubleValue());
            }
            if (shares.size() != days.size()) {
                throw new IllegalArgumentException(what + ": " + shares.size() + " days, not " + days.size());
            }
            byService.put(entry.getKey(), Collections.unmodifiableList(shares));
        }
        this.dates = Collections.unmodifiableList(days);
        this.services = Collections.unmodifiableMap(byService);
    }

    static DailyUptime fromJson(Object json) {
        return new DailyUptime(Json.Fields.of(json, "uptime"));
    }

    /** The days (UTC), oldest first, today last: 30 of them. Unmodifiable. */
    public List<LocalDate> getDates() {
        return dates;
    }

    /**
     * Each service the client's credential sees, by name (sorted), with its share of each of
     * {@link #getDates()} it was up: a number from 0 to 1, or {@code null} before it was first
     * seen. Unmodifiable, and so are the lists.
     */
    public Map<String, List<Double>> getServices() {
        return services;
    }

    /** The daily shares of {@code service}, as {@link #getServices()} has them, if it is listed. */
    public Optional<List<Double>> getService(String service) {
        return Optional.ofNullable(services.get(Objects.requireNonNull(service, "service")));
    }

    /**
     * The share of {@code date} that {@code service} was up: empty if the service is not listed,
     * the date is not one of {@link #getDates()}, or the service was not yet seen that day.
     */
    public Optional<Double> getUptime(String service, LocalDate date) {
        List<Double> shares = services.get(Objects.requireNonNull(service, "service"));
        int index = dates.indexOf(Objects.requireNonNull(date, "date"));
        return shares == null || index < 0 ? Optional.<Double>empty() : Optional.ofNullable(shares.get(index));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DailyUptime)) {
            return false;
        }
        DailyUptime that = (DailyUptime) o;
        return dates.equals(that.dates) && services.equals(that.services);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dates, services);
    }

    @Override
    public String toString() {
        return "DailyUptime{dates=" + (dates.isEmpty() ? "[]" : dates.get(0) + ".." + dates.get(dates.size() - 1))
                + ", services=" + services + "}";
    }
}
