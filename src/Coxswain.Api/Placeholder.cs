namespace Coxswain.Api; internal static class Placeholder {}
