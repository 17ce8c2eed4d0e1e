"""Import and export: validated, transactional table and ERP imports; scoped, injection-safe exports."""
