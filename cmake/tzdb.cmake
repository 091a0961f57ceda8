# Placeholder until the tz database generator lands: an empty target.
add_library(ec_tzdb INTERFACE)
