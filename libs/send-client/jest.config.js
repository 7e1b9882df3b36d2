// `nx test send-client`: this project's unit and integration tests (see jest.preset.js).
module.exports = require('../../jest.preset').projectConfig(__dirname);
