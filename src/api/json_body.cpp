// SPDX-License-Identifier: MIT
#include "api/json_body.hpp"

#include <boost/json/parser.hpp>

namespace td::api {

Result<boost::json::value> ParseJsonBody(std::string_view body) {
  if (body.empty()) {
    return Error::InvalidArgument("request body must be JSON, but it is empty", "body");
  }
  boost::json::parser parser;
  boost::system::error_code ec;
  std::size_t consumed = parser.write(body.data(), body.size(), ec);
  if (!ec) {
    consumed = body.size();
  }
  if (ec) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < consumed && i < body.size(); ++i) {
      if (body[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Error::InvalidArgument("malformed JSON at offset " + std::to_string(consumed) + " (line " +
                                      std::to_string(line) + ", column " + std::to_string(column) +
                                      "): " + ec.message(),
                                  "body");
  }
  return parser.release();
}

}  // namespace td::api
