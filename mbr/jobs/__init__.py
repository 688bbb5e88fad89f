"""The unattended monthly run (`mbr run`) and its schedule (`mbr schedule`).

paths     where a period's report, manifest and lock live
lock      one run at a time per report (fcntl.flock: released when the process dies)
manifest  what a run read and wrote, and whether anything changed since
mail      SMTP delivery of the report and of reminders
run       the run itself: build when inputs changed, deliver, remind
schedule  the crontab line and the next run times
"""
