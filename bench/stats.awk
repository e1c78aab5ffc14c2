# bench/stats.awk - reads the output of `rtrace stats DIR` and prints
# "STEPS CALLS EVENTS", or nothing when one of them cannot be found (the
# runner then counts trace.json itself). Tolerant of the layout: on each
# line the first word names the figure and the first integer is its value
# ("Step: 12", "steps 12", "\"Call\": 3", "events: 1,234", "total 40").
{
    line = tolower($0)
    gsub(/[",:=;|()]/, " ", line)
    n = split(line, tok, /[ \t]+/)
    word = ""; num = ""
    for (i = 1; i <= n; i++) {
        if (tok[i] == "") continue
        if (word == "" && tok[i] ~ /^[a-z_]+$/) word = tok[i]
        if (num == "" && tok[i] ~ /^[0-9]+$/) num = tok[i]
    }
    if (word == "" || num == "") next
    if ((word == "step" || word == "steps") && steps == "") steps = num
    else if ((word == "call" || word == "calls") && calls == "") calls = num
    else if ((word == "events" || word == "event" || word == "total") && events == "") events = num
}
END { if (steps != "" && calls != "" && events != "") print steps, calls, events }
