"""The government data service (政府数据服务网): a catalogue of open data, CKAN and DCAT."""
