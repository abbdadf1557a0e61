-- One server, one database per service that owns data (ARCHITECTURE.md decision 6).
CREATE USER recur WITH PASSWORD 'recur';
CREATE DATABASE recur_api OWNER recur;
CREATE DATABASE recur_delivery OWNER recur;
