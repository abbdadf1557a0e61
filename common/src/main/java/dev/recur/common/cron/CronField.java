package dev.recur.common.cron;

import java.util.List;

import com.cronutils.model.field.CronFieldName;

/** The five fields of a Unix cron expression, in order, with the bounds cron accepts for each. */
enum CronField {
    MINUTE("minute", CronFieldName.MINUTE, 0, 59, List.of()),
    HOUR("hour", CronFieldName.HOUR, 0, 23, List.of()),
    DAY_OF_MONTH("day_of_month", CronFieldName.DAY_OF_MONTH, 1, 31, List.of()),
    MONTH(
            "month",
            CronFieldName.MONTH,
            1,
            12,
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    // 7 is accepted as a second Sunday, as in Vixie cron
    DAY_OF_WEEK(
            "day_of_week", CronFieldName.DAY_OF_WEEK, 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

    private final String key;
    private final CronFieldName cronUtilsName;
    private final int min;
    private final int max;
    private final List<String> names;

    CronField(String key, CronFieldName cronUtilsName, int min, int max, List<String> names) {
        this.key = key;
        this.cronUtilsName = cronUtilsName;
        this.min = min;
        this.max = max;
        this.names = names;
    }

    String key() {
        return key;
    }

    CronFieldName cronUtilsName() {
        return cronUtilsName;
    }

    int min() {
        return min;
    }

    int max() {
        return max;
    }

    /** The number a name stands for, or -1 if this field has no such name. */
    int numberOf(String name) {
        int index = names.indexOf(name);
        return index < 0 ? -1 : index + (this == MONTH ? 1 : 0);
    }

    /** What this field accepts, for error messages. */
    String allowedValues() {
        String numbers = "allowed values are " + min + ".." + max;
        return names.isEmpty() ? numbers : numbers + " or " + names.get(0) + ".." + names.get(names.size() - 1);
    }
}
