"""What people run: the `saywell` command line (`cli`), practice at a keyboard (`practice`), the headless
kiosk (`kiosk`, `kiosk_state`), the teacher page (`serve`, `teacher_page`, `teacher_views`, `teacher_auth`) and
`saywell settings`, `lists` and `report` (`settings_cmd`, `lists_cmd`, `report_cmd`). Uses the other rooms; nothing imports it."""
