"""ระบบสารบรรณอิเล็กทรอนิกส์: the e-Saraban system one agency runs for itself."""
