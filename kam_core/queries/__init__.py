"""SQL reads of the analytics: each module runs its GROUP BYs in the database and returns small frames."""
