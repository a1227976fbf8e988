"""Write functions of the processes app (register, library, execution, tasks, sign-off)."""
