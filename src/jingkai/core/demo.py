"""What every app's demo chapter shares with the demo builder (jingkai.demo), so that no domain imports it."""

# Marks the users the demo created: `jingkai demo` refuses to wipe a database holding any other user.
DEMO_EMAIL_DOMAIN = "demo.jingkai.invalid"
