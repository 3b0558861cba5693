package io.watchtower.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A route the server has configured: an alert to {@code route:NAME} goes to each of its
 * {@linkplain #getSteps() steps}. An element of {@link Channels#getRoutes()}. Immutable.
 */
public final class Route {
    private final String name;
    private final List<Step> steps;

    private Route(Json.Fields f) {
        this.name = f.string("name");
        List<Step> list = new ArrayList<>();
        for (Object item : f.array("steps")) {
            list.add(new Step(Json.Fields.of(item, "route.steps[]")));
        }
        this.steps = Collections.unmodifiableList(list);
    }

    static Route fromJson(Object json) {
        return new Route(Json.Fields.of(json, "route"));
    }

    /** Its name: the {@code alertTarget} of a pulse whose {@code alertType} is {@code "route"}. */
    public String getName() {
        return name;
    }

    /** The channels an alert to it goes to, in order. Unmodifiable. */
    public List<Step> getSteps() {
        return steps;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Route)) {
            return false;
        }
        Route that = (Route) o;
        return name.equals(that.name) && steps.equals(that.steps);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, steps);
    }

    @Override
    public String toString() {
        return "Route{name=" + name + ", steps=" + steps + "}";
    }

    /**
     * One channel of a route. Immutable; {@link #toString()} is {@code "alertType:alertTarget"},
     * e.g. {@code "webhook:ops"}.
     */
    public static final class Step {
        private final String alertType;
        private final String alertTarget;

        private Step(Json.Fields f) {
            this.alertType = f.string("alertType");
            this.alertTarget = f.string("alertTarget");
        }

        /**
         * The channel, as the protocol names it: {@code "webhook"}, {@code "mail"}…
         * {@link AlertType#parse(String)} converts it.
         */
        public String getAlertType() {
            return alertType;
        }

        /** Where it goes: an e-mail address, or the name of a configured webhook… */
        public String getAlertTarget() {
            return alertTarget;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Step)) {
                return false;
            }
            Step that = (Step) o;
            return alertType.equals(that.alertType) && alertTarget.equals(that.alertTarget);
        }

        @Override
        public int hashCode() {
            return Objects.hash(alertType, alertTarget);
        }

        @Override
        public String toString() {
            return alertType + ":" + alertTarget;
        }
    }
}
