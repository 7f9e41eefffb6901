namespace Coxswain.Storage; internal static class Placeholder {}
